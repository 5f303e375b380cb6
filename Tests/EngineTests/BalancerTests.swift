@testable import Engine
import RouteLang
import XCTest

// MARK: - BalancerTests

/// Balancing as pure state: a fixed random sequence and an injected clock.
final class BalancerTests: XCTestCase {
    /// A deterministic generator (SplitMix64), so every run picks the same.
    typealias Seeded = DecisionTreePropertyTests.Random

    let a = Endpoint(host: "10.0.0.1", port: 80)
    let b = Endpoint(host: "10.0.0.2", port: 80)
    let c = Endpoint(host: "10.0.0.3", port: 80)
    let ms: UInt64 = 1_000_000
    let peak = BalancePolicy.peakEWMA(decay: .seconds(10), defaultRTT: .milliseconds(100))

    func testPeakEWMAAdoptsPeaksAtOnceAndDecaysTowardFasterAnswers() {
        var ewma = PeakEWMA()
        XCTAssertEqual(ewma.estimate(now: 0, decay: 1_000 * ms, defaultRTT: 100 * ms), Double(100 * ms), "never measured: the default")
        ewma.observe(rtt: 10 * ms, now: 0, decay: 1_000 * ms)
        XCTAssertEqual(ewma.nanoseconds, Double(10 * ms))
        ewma.observe(rtt: 500 * ms, now: 1 * ms, decay: 1_000 * ms)
        XCTAssertEqual(ewma.nanoseconds, Double(500 * ms), "a slower answer is adopted at once")
        ewma.observe(rtt: 0, now: 1_001 * ms, decay: 1_000 * ms)
        XCTAssertEqual(ewma.nanoseconds ?? 0, Double(500 * ms) * exp(-1), accuracy: 1, "after one decay period the old value weighs 1/e")
    }

    /// An endpoint avoided for being slow looks faster as time passes, so
    /// it is tried again: read, the estimate decays toward zero.
    func testEstimateDecaysWhileNoAnswerComes() {
        var ewma = PeakEWMA()
        ewma.observe(rtt: 800 * ms, now: 0, decay: 1_000 * ms)
        XCTAssertEqual(ewma.estimate(now: 0, decay: 1_000 * ms, defaultRTT: 0), Double(800 * ms))
        XCTAssertEqual(ewma.estimate(now: 2_000 * ms, decay: 1_000 * ms, defaultRTT: 0), Double(800 * ms) * exp(-2), accuracy: 1)

        var balancer = Balancer()
        var random = Seeded(state: 4)
        balancer.loads[a] = EndpointLoad(pending: 0, latency: Self.measured(10 * ms))
        balancer.loads[b] = EndpointLoad(pending: 0, latency: Self.measured(800 * ms))
        XCTAssertEqual(balancer.pick([a, b], policy: peak, now: 0, random: &random), a)
        balancer.finished(a, rtt: nil, now: 0, policy: peak)
        // 60 s later with a's estimate refreshed, b's has decayed below it.
        balancer.finished(a, rtt: 10 * ms, now: 60_000 * ms, policy: peak)
        _ = balancer.pick([a], policy: peak, now: 60_000 * ms, random: &random)
        balancer.finished(a, rtt: 10 * ms, now: 60_000 * ms, policy: peak)
        XCTAssertEqual(balancer.pick([a, b], policy: peak, now: 60_000 * ms, random: &random), b)
    }

    func testPowerOfTwoChoicesAvoidsTheSlowEndpoint() {
        var balancer = Balancer()
        var random = Seeded(state: 7)
        balancer.loads[a] = EndpointLoad(pending: 0, latency: Self.measured(1 * ms))
        balancer.loads[b] = EndpointLoad(pending: 0, latency: Self.measured(1_000 * ms))
        var counts: [Endpoint: Int] = [:]
        for _ in 0..<1_000 {
            let chosen = balancer.pick([a, b], policy: peak, now: 0, random: &random)!
            counts[chosen, default: 0] += 1
            balancer.finished(chosen, rtt: nil, now: 0, policy: peak)
        }
        XCTAssertGreaterThan(counts[a, default: 0], 950)
    }

    func testPendingRequestsRaiseTheCost() {
        var balancer = Balancer()
        var random = Seeded(state: 1)
        // Equal latency; a holds nine requests in flight, so b wins every pair.
        balancer.loads[a] = EndpointLoad(pending: 9, latency: Self.measured(10 * ms))
        balancer.loads[b] = EndpointLoad(pending: 0, latency: Self.measured(10 * ms))
        for _ in 0..<50 {
            let chosen = balancer.pick([a, b], policy: peak, now: 0, random: &random)!
            XCTAssertEqual(chosen, b)
            balancer.finished(chosen, rtt: 10 * ms, now: 0, policy: peak)
        }
        XCTAssertEqual(balancer.loads[b]?.pending, 0)
        XCTAssertEqual(balancer.loads[a]?.pending, 9)
    }

    /// The issue-22 scale-out: a measured endpoint and one that just
    /// joined. The new one is priced at the median of what is measured, so
    /// it ties, is tried at once, and then shares by its own latency.
    func testAJoiningEndpointIsPricedAtTheMedianAndGetsTraffic() {
        var balancer = Balancer()
        var random = Seeded(state: 3)
        for step in 0..<20 {
            let now = UInt64(step) * ms
            let chosen = balancer.pick([a], policy: peak, now: now, random: &random)!
            balancer.finished(chosen, rtt: 2 * ms, now: now + 2 * ms, policy: peak)
        }
        balancer.membershipChanged(from: [a], to: [a, b], now: 20 * ms)
        var counts: [Endpoint: Int] = [:]
        for step in 20..<60 {
            let now = UInt64(step) * 3 * ms
            let chosen = balancer.pick([a, b], policy: peak, now: now, random: &random)!
            counts[chosen, default: 0] += 1
            // Equal service, with the jitter a real endpoint has.
            balancer.finished(chosen, rtt: (2 + UInt64(step % 3)) * ms / 2 + ms, now: now + 2 * ms, policy: peak)
        }
        XCTAssertGreaterThanOrEqual(counts[b, default: 0], 10, "within half of its fair share of 20: \(counts)")
    }

    /// A new connection's first answer seeds an estimate that prices like
    /// none (so its warm-up cannot price the endpoint out); the first warm
    /// answer replaces it; afterwards a slower cold answer is no peak.
    func testColdAnswersAreNoPeaks() {
        var ewma = PeakEWMA()
        ewma.observe(rtt: 5 * ms, now: 0, decay: 10_000 * ms, cold: true)
        XCTAssertFalse(ewma.isMeasured)
        ewma.observe(rtt: 1 * ms, now: 1 * ms, decay: 10_000 * ms)
        XCTAssertTrue(ewma.isMeasured)
        XCTAssertEqual(ewma.nanoseconds, Double(1 * ms), "the warm answer replaces the cold one")
        ewma.observe(rtt: 9 * ms, now: 2 * ms, decay: 10_000 * ms, cold: true)
        XCTAssertEqual(ewma.nanoseconds, Double(1 * ms), "a slower cold answer is not adopted")
        ewma.observe(rtt: 9 * ms, now: 3 * ms, decay: 10_000 * ms)
        XCTAssertEqual(ewma.nanoseconds, Double(9 * ms), "a slower warm answer is")
        ewma.observe(rtt: 1 * ms, now: 3 * ms + 1, decay: 10_000 * ms)
        XCTAssertEqual(ewma.nanoseconds ?? 0, Double(9 * ms) * 0.9 + Double(1 * ms) * 0.1, accuracy: 1,
                       "a faster answer moves it at least a tenth of the way")
    }

    func testUnmeasuredEndpointsCostTheDefaultRTTWhenNothingIsMeasured() {
        let balancer = Balancer()
        var reference: Double?
        XCTAssertEqual(balancer.peakCost(a, pool: [a, b], reference: &reference, now: 0, decay: 10_000 * ms, defaultRTT: 100 * ms),
                       Double(100 * ms) * Balancer.unmeasuredDiscount)
    }

    func testASlowNewEndpointIsAvoidedOnceMeasured() {
        var balancer = Balancer()
        var random = Seeded(state: 8)
        balancer.loads[a] = EndpointLoad(pending: 0, latency: Self.measured(2 * ms))
        balancer.membershipChanged(from: [a], to: [a, b], now: 0)
        var counts: [Endpoint: Int] = [:]
        for step in 0..<40 {
            let now = UInt64(step) * 10 * ms
            let chosen = balancer.pick([a, b], policy: peak, now: now, random: &random)!
            counts[chosen, default: 0] += 1
            balancer.finished(chosen, rtt: chosen == b ? 150 * ms : 2 * ms, now: now + 1, policy: peak)
        }
        XCTAssertLessThanOrEqual(counts[b, default: 0], 2, "measured once or twice, then avoided: \(counts)")
    }

    /// Slow start: a joining endpoint's weight ramps from 10% to 100% over
    /// the window; endpoints of the first set never ramp.
    func testSlowStartRampsAJoiningEndpointsShare() {
        var balancer = Balancer()
        var random = Seeded(state: 4)
        let window = 10_000 * ms
        balancer.membershipChanged(from: [], to: [a], now: 0)
        XCTAssertTrue(balancer.joined.isEmpty, "the first set does not join")
        balancer.membershipChanged(from: [a], to: [a, b], now: 0)
        func share(at now: UInt64, slowStart: UInt64 = window) -> Double {
            var picked = 0
            for _ in 0..<1_000 {
                let chosen = balancer.pick([a, b], policy: .roundRobin, slowStart: slowStart, now: now, random: &random)!
                if chosen == b { picked += 1 }
                balancer.finished(chosen, rtt: nil, now: now, policy: .roundRobin)
            }
            return Double(picked) / 1_000
        }
        XCTAssertEqual(share(at: 0), 0.1 / 1.1, accuracy: 0.01)
        XCTAssertEqual(share(at: window / 2), 0.5 / 1.5, accuracy: 0.01)
        XCTAssertEqual(share(at: window), 0.5, accuracy: 0.01)
        XCTAssertEqual(share(at: 0, slowStart: 0), 0.5, accuracy: 0.01, "without slow-start the weight is whole")
    }

    func testRoundRobinIsSmoothAndWeighted() {
        var balancer = Balancer()
        var random = Seeded(state: 1)
        let heavy = Endpoint(host: "10.0.0.1", port: 80, weight: 3)
        var sequence: [Endpoint] = []
        for _ in 0..<8 {
            let chosen = balancer.pick([heavy, b], policy: .roundRobin, now: 0, random: &random)!
            sequence.append(chosen)
            balancer.finished(chosen, rtt: nil, now: 0, policy: .roundRobin)
        }
        XCTAssertEqual(sequence.filter { $0 == heavy }.count, 6)
        XCTAssertEqual(sequence.filter { $0 == b }.count, 2)
        XCTAssertNotEqual(Array(sequence.prefix(4)), [heavy, heavy, heavy, heavy], "smooth: no burst")
    }

    func testLeastLoadedRespectsWeights() {
        var balancer = Balancer()
        var random = Seeded(state: 5)
        let heavy = Endpoint(host: "10.0.0.1", port: 80, weight: 4)
        balancer.loads[heavy] = EndpointLoad(pending: 3, latency: PeakEWMA())
        balancer.loads[b] = EndpointLoad(pending: 1, latency: PeakEWMA())
        // 3/4 in flight per unit of weight beats 1/1.
        XCTAssertEqual(balancer.pick([heavy, b], policy: .leastLoaded, now: 0, random: &random), heavy)
    }

    func testWeightsSteerPowerOfTwoDraws() {
        var balancer = Balancer()
        var random = Seeded(state: 11)
        let heavy = Endpoint(host: "10.0.0.1", port: 80, weight: 9)
        var counts: [Endpoint: Int] = [:]
        for _ in 0..<2_000 {
            let chosen = balancer.pick([heavy, b, c], policy: peak, now: 0, random: &random)!
            counts[chosen, default: 0] += 1
            balancer.finished(chosen, rtt: nil, now: 0, policy: peak)
        }
        XCTAssertGreaterThan(counts[heavy, default: 0], 1_500, "\(counts)")
        XCTAssertGreaterThan(counts[b, default: 0], 0)
    }

    func testExcludedEndpointsAreAvoidedWhileOthersExist() {
        var balancer = Balancer()
        var random = Seeded(state: 9)
        for _ in 0..<20 {
            let chosen = balancer.pick([a, b, c], policy: peak, excluding: [a, b], now: 0, random: &random)
            XCTAssertEqual(chosen, c)
            balancer.finished(c, rtt: nil, now: 0, policy: peak)
        }
        XCTAssertNotNil(balancer.pick([a], policy: peak, excluding: [a], now: 0, random: &random), "with no other endpoint the excluded one is used")
        XCTAssertNil(balancer.pick([], policy: peak, now: 0, random: &random))
    }

    func testRetainForgetsRemovedIdleEndpoints() {
        var balancer = Balancer()
        var random = Seeded(state: 2)
        _ = balancer.pick([a], policy: peak, now: 0, random: &random)
        balancer.loads[b] = EndpointLoad()
        balancer.retain([c])
        XCTAssertNotNil(balancer.loads[a], "an endpoint with a request in flight is kept")
        XCTAssertNil(balancer.loads[b])
    }

    static func measured(_ rtt: UInt64) -> PeakEWMA {
        var ewma = PeakEWMA()
        ewma.observe(rtt: rtt, now: 0, decay: 10_000_000_000)
        return ewma
    }
}
