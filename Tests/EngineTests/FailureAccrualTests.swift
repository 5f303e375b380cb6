@testable import Engine
import RouteLang
import XCTest

// MARK: - FailureAccrualTests

/// Eviction, probation and restoration with an injected clock.
final class FailureAccrualTests: XCTestCase {
    let a = Endpoint(host: "10.0.0.1", port: 80)
    let b = Endpoint(host: "10.0.0.2", port: 80)
    let c = Endpoint(host: "10.0.0.3", port: 80)
    let second: UInt64 = 1_000_000_000
    var random = BalancerTests.Seeded(state: 3)

    func consecutive(_ count: Int, maxEjection: Double = 50) -> AccrualPolicy {
        AccrualPolicy(mode: .consecutive(count), backoff: DurationRange(.seconds(1), .seconds(8)), maxEjectionPercent: maxEjection)
    }

    func testConsecutiveFailuresEvictThenProbeThenRestore() {
        var accrual = FailureAccrual()
        let policy = consecutive(3)
        let all = [a, b, c]
        XCTAssertNil(accrual.record(a, success: false, now: 0, policy: policy, endpoints: all, random: &random))
        XCTAssertNil(accrual.record(a, success: true, now: 0, policy: policy, endpoints: all, random: &random), "a success resets the count")
        XCTAssertNil(accrual.record(a, success: false, now: 0, policy: policy, endpoints: all, random: &random))
        XCTAssertNil(accrual.record(a, success: false, now: 0, policy: policy, endpoints: all, random: &random))
        guard case .evicted(a, let until)? = accrual.record(a, success: false, now: 0, policy: policy, endpoints: all, random: &random) else {
            return XCTFail("the third failure in a row evicts")
        }
        XCTAssertGreaterThanOrEqual(until, second / 2)
        XCTAssertLessThanOrEqual(until, second)
        XCTAssertEqual(accrual.available(all, now: until - 1).endpoints, [b, c])

        let (probed, events) = accrual.available(all, now: until)
        XCTAssertEqual(probed, all)
        XCTAssertEqual(events, [.probing(a)])
        XCTAssertEqual(accrual.available(all, now: until).endpoints, [b, c], "one probe at a time")
        XCTAssertEqual(accrual.record(a, success: true, now: until, policy: policy, endpoints: all, random: &random), .restored(a))
        XCTAssertEqual(accrual.available(all, now: until).endpoints, all)
    }

    func testAFailedProbeEvictsForLonger() {
        var accrual = FailureAccrual()
        let policy = consecutive(1, maxEjection: 100)
        guard case .evicted(_, let first)? = accrual.record(a, success: false, now: 0, policy: policy, endpoints: [a, b], random: &random) else {
            return XCTFail("evicted")
        }
        _ = accrual.available([a, b], now: first)
        guard case .evicted(_, let second)? = accrual.record(a, success: false, now: first, policy: policy, endpoints: [a, b], random: &random) else {
            return XCTFail("evicted again")
        }
        XCTAssertGreaterThanOrEqual(second - first, self.second, "the second eviction waits 1..2 s")
    }

    func testMaxEjectionKeepsPartOfThePool() {
        var accrual = FailureAccrual()
        let policy = consecutive(1, maxEjection: 50)
        let all = [a, b, c]
        XCTAssertNotNil(accrual.record(a, success: false, now: 0, policy: policy, endpoints: all, random: &random))
        XCTAssertNil(accrual.record(b, success: false, now: 0, policy: policy, endpoints: all, random: &random),
                     "a second eviction would take 2 of 3 out, over 50%")
        XCTAssertEqual(accrual.available(all, now: 0).endpoints, [b, c])
    }

    func testSuccessWindowForgetsOldOutcomes() {
        var window = SuccessWindow()
        for _ in 0..<5 { window.record(success: false, now: 0, window: 10 * second) }
        for _ in 0..<5 { window.record(success: true, now: 5 * second, window: 10 * second) }
        XCTAssertEqual(window.total, 10)
        XCTAssertEqual(window.rate, 0.5)
        window.record(success: true, now: 11 * second, window: 10 * second)
        XCTAssertEqual(window.total, 6, "the failures at 0 s left the 10 s window")
        XCTAssertEqual(window.rate, 1)
    }

    func testSuccessRateNeedsMinRequestsThenEvicts() {
        var accrual = FailureAccrual()
        let policy = AccrualPolicy(mode: .successRate(rate: 0.8, window: .seconds(30), minRequests: 10),
                                   backoff: DurationRange(.seconds(1), .seconds(8)), maxEjectionPercent: 100)
        var evictedAt: Int?
        for index in 0..<30 {
            // One failure in two: well below 80%.
            let event = accrual.record(a, success: index % 2 == 0, now: UInt64(index) * second / 10, policy: policy, endpoints: [a, b],
                                       random: &random)
            if case .evicted? = event { evictedAt = index; break }
        }
        let at = try? XCTUnwrap(evictedAt)
        XCTAssertGreaterThanOrEqual(at ?? 0, 9, "not before min-requests")
        var healthy = FailureAccrual()
        for index in 0..<50 {
            XCTAssertNil(healthy.record(a, success: index % 10 != 0, now: UInt64(index) * second / 10, policy: policy,
                                        endpoints: [a, b], random: &random), "90% success stays in")
        }
    }

    /// `accrual none` after a reload: an endpoint an earlier policy evicted
    /// comes back at its next outcome, and nothing is counted any more.
    func testAccrualNoneRestoresWhatAnEarlierPolicyHeldOut() {
        var accrual = FailureAccrual()
        let all = [a, b, c]
        guard case .evicted? = accrual.record(a, success: false, now: 0, policy: consecutive(1), endpoints: all, random: &random) else {
            return XCTFail("evicted")
        }
        XCTAssertEqual(accrual.record(a, success: false, now: 1, policy: .disabled, endpoints: all, random: &random), .restored(a))
        XCTAssertNil(accrual.record(a, success: false, now: 2, policy: .disabled, endpoints: all, random: &random))
        XCTAssertEqual(accrual.available(all, now: 3).endpoints, all)
        XCTAssertFalse(accrual.isMarked(a))
    }
}
