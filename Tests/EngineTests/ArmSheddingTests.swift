@testable import Engine
import RouteLang
import XCTest

// MARK: - ArmSheddingTests

/// A split arm whose every endpoint fails gives its share to the arms that
/// can answer, is probed one request at a time after a backoff, and takes
/// its share back when a probe succeeds. Pure state, injected time.
final class ArmSheddingTests: XCTestCase {
    let live = Endpoint(host: "10.0.0.1", port: 80)
    let dead = Endpoint(host: "10.0.0.2", port: 80)
    let ms: UInt64 = 1_000_000
    var random = BalancerTests.Seeded(state: 21)

    /// `split /svc/shop { 80% shop-a  20% shop-b }` under the given defaults.
    func decision(_ defaults: String = "") throws -> RoutingDecision {
        let source = SourceFile(name: "t.routes", text: "defaults {\n\(defaults)\n}\nroute r { to /svc/shop }\n")
        let policy = try XCTUnwrap(RuleFrontEnd.lint(source).config).defaults
        let a = BoundName(id: Path("#", "disco", "shop-a"), endpoints: [live])
        let b = BoundName(id: Path("#", "disco", "shop-b"), endpoints: [dead])
        return RoutingDecision(route: 0, routeName: "r", name: Path("svc", "shop"),
                               bound: .union([.init(0.8, .leaf(a)), .init(0.2, .leaf(b))]), policy: policy)
    }

    /// One attempt at `now`: `dead` fails, `live` answers. The pick.
    @discardableResult
    func attempt(_ loop: inout Destinations, _ decision: RoutingDecision, now: UInt64, excluding: Set<Endpoint> = [])
        -> (pick: Destinations.Pick, events: DestinationHealth.Events) {
        guard case .success(let pick) = loop.pick(decision, excluding: excluding, now: now, random: &random) else {
            XCTFail("no pick")
            fatalError()
        }
        loop.finished(pick, rtt: ms, now: now, policy: decision.policy.balance)
        let events = loop.record(pick, success: pick.endpoint == live, now: now, policy: decision.policy.accrual, random: &random)
        return (pick, events)
    }

    func testADeadArmIsShedAfterAccrualTripsAndProbedOneRequestAtATime() throws {
        let decision = try decision("accrual consecutive 3 backoff 1s..4s")
        var loop = Destinations(board: HealthBoard())
        var shedAt: UInt64?
        var deadPicks = 0
        for step in 0..<200 where shedAt == nil {
            let result = attempt(&loop, decision, now: UInt64(step) * ms)
            if result.pick.endpoint == dead { deadPicks += 1 }
            if case .shed? = result.events.arm { shedAt = UInt64(step) * ms }
        }
        let shed = try XCTUnwrap(shedAt, "three failures in a row shed the single-endpoint arm")
        XCTAssertEqual(deadPicks, 3)
        // While shed (the backoff is at least 500 ms), every request goes to the live arm.
        for step in 1...100 {
            XCTAssertEqual(attempt(&loop, decision, now: shed + UInt64(step) * ms).pick.endpoint, live)
        }
        // Once due, the next request probes the dead arm; it fails and is shed again, for longer.
        let due = shed + 4_000 * ms
        let probe = attempt(&loop, decision, now: due)
        XCTAssertTrue(probe.pick.armProbe)
        XCTAssertEqual(probe.pick.endpoint, dead)
        guard case .shed(let until)? = probe.events.arm else { return XCTFail("\(probe.events)") }
        XCTAssertGreaterThanOrEqual(until - due, 1_000 * ms, "second shed in a row: from the upper half of 2s")
        XCTAssertEqual(attempt(&loop, decision, now: due + 1).pick.endpoint, live)
    }

    func testAProbeThatSucceedsGivesTheShareBack() throws {
        let decision = try decision("accrual consecutive 2 backoff 1s..1s")
        let board = HealthBoard()
        var loop = Destinations(board: board)
        var now: UInt64 = 0
        while board.health(for: Path("#", "disco", "shop-b")).armGate == 0, now < 1_000 * ms {
            attempt(&loop, decision, now: now)
            now += ms
        }
        XCTAssertNotEqual(board.health(for: Path("#", "disco", "shop-b")).armGate, 0)
        // The probe is claimed by one loop; another loop sees it out and sends elsewhere.
        var other = Destinations(board: board)
        guard case .success(let probe) = loop.pick(decision, now: now + 1_000 * ms, random: &random) else { return XCTFail() }
        XCTAssertTrue(probe.armProbe)
        for _ in 0..<20 {
            guard case .success(let pick) = other.pick(decision, now: now + 1_000 * ms, random: &random) else { return XCTFail() }
            XCTAssertEqual(pick.endpoint, live)
            other.finished(pick, rtt: ms, now: now, policy: decision.policy.balance)
        }
        loop.finished(probe, rtt: ms, now: now + 1_000 * ms, policy: decision.policy.balance)
        let events = loop.record(probe, success: true, now: now + 1_000 * ms, policy: decision.policy.accrual, random: &random)
        XCTAssertEqual(events.arm, .restored)
        var counts: [Endpoint: Int] = [:]
        for _ in 0..<500 {
            guard case .success(let pick) = other.pick(decision, now: now + 1_001 * ms, random: &random) else { return XCTFail() }
            counts[pick.endpoint, default: 0] += 1
            other.finished(pick, rtt: ms, now: now, policy: decision.policy.balance)
        }
        XCTAssertEqual(Double(counts[dead, default: 0]) / 500, 0.2, accuracy: 0.06, "the 20% share is back: \(counts)")
    }

    /// A retry avoids an arm whose every endpoint it already tried.
    func testARetryGoesToAnotherArm() throws {
        let decision = try decision()
        var loop = Destinations(board: HealthBoard())
        for step in 0..<50 {
            XCTAssertEqual(attempt(&loop, decision, now: UInt64(step) * ms, excluding: [dead]).pick.endpoint, live)
        }
    }

    /// With every arm shed the draw is over all of them, as before shedding.
    func testWhenNoArmCanAnswerTheDrawIgnoresShedding() throws {
        let decision = try decision("accrual consecutive 1 backoff 10s..10s")
        var loop = Destinations(board: HealthBoard())
        var now: UInt64 = 0
        // Fail both arms (record failures whatever the endpoint).
        for _ in 0..<40 {
            guard case .success(let pick) = loop.pick(decision, now: now, random: &random) else { return XCTFail() }
            _ = loop.record(pick, success: false, now: now, policy: decision.policy.accrual, random: &random)
            loop.finished(pick, rtt: nil, now: now, policy: decision.policy.balance)
            now += ms
        }
        var seen: Set<Endpoint> = []
        for _ in 0..<100 {
            guard case .success(let pick) = loop.pick(decision, now: now, random: &random) else { return XCTFail() }
            seen.insert(pick.endpoint)
            loop.finished(pick, rtt: nil, now: now, policy: decision.policy.balance)
        }
        XCTAssertEqual(seen, [live, dead])
    }

    func testAccrualNoneShedsNothing() throws {
        let decision = try decision("accrual none")
        XCTAssertEqual(decision.policy.accrual.mode, .disabled)
        var loop = Destinations(board: HealthBoard())
        var deadPicks = 0
        for step in 0..<500 where attempt(&loop, decision, now: UInt64(step) * ms).pick.endpoint == dead { deadPicks += 1 }
        XCTAssertEqual(Double(deadPicks) / 500, 0.2, accuracy: 0.06)
    }
}
