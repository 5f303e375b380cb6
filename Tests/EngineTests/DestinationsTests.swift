@testable import Engine
import RouteLang
import XCTest

// MARK: - DestinationsTests

/// The destination and endpoint layers as pure state: two `Destinations`
/// stand for two event loops sharing one `HealthBoard`, time is injected.
final class DestinationsTests: XCTestCase {
    let a = Endpoint(host: "10.0.0.1", port: 80)
    let b = Endpoint(host: "10.0.0.2", port: 80)
    let ms: UInt64 = 1_000_000
    var random = BalancerTests.Seeded(state: 11)

    func decision(_ accrual: String = "accrual consecutive 3 backoff 1s..8s max-ejection 50%",
                  endpoints: [Endpoint]? = nil) throws -> RoutingDecision {
        let source = SourceFile(name: "t.routes", text: "defaults {\n\(accrual)\nretry on 5xx\nbalance least-loaded\n}\nroute r { to /svc/a }\n")
        let policy = try XCTUnwrap(RuleFrontEnd.lint(source).config).defaults
        let bound = BoundName(id: Path("#", "disco", "a"), endpoints: endpoints ?? [a, b])
        return RoutingDecision(route: 0, routeName: "r", name: Path("svc", "a"), bound: .leaf(bound), policy: policy)
    }

    /// Fails `count` attempts that the loop picks on `endpoint` (by excluding the other).
    func fail(_ loop: inout Destinations, _ decision: RoutingDecision, on endpoint: Endpoint, count: Int, now: UInt64)
        -> [FailureAccrual.Event] {
        var events: [FailureAccrual.Event] = []
        let other: Set<Endpoint> = endpoint == a ? [b] : [a]
        for _ in 0..<count {
            guard case .success(let pick) = loop.pick(decision, excluding: other, now: now, random: &random) else {
                XCTFail("no pick")
                return events
            }
            XCTAssertEqual(pick.endpoint, endpoint)
            loop.finished(pick, rtt: ms, now: now, policy: decision.policy.balance)
            if let event = loop.record(pick, success: false, now: now, policy: decision.policy.accrual, random: &random).endpoint {
                events.append(event)
            }
        }
        return events
    }

    func picks(_ loop: inout Destinations, _ decision: RoutingDecision, now: UInt64, count: Int = 50) -> Set<Endpoint> {
        var seen: Set<Endpoint> = []
        for _ in 0..<count {
            guard case .success(let pick) = loop.pick(decision, now: now, random: &random) else { continue }
            seen.insert(pick.endpoint)
            loop.finished(pick, rtt: ms, now: now, policy: decision.policy.balance)
        }
        return seen
    }

    func testAnEvictionOnOneLoopHoldsOnEveryLoop() throws {
        let board = HealthBoard()
        var first = Destinations(board: board)
        var second = Destinations(board: board)
        let decision = try decision()
        XCTAssertEqual(picks(&second, decision, now: 0), [a, b], "the second loop has used both endpoints")
        let events = fail(&first, decision, on: a, count: 3, now: 0)
        guard case .evicted(a, let until)? = events.last, events.count == 1 else { return XCTFail("\(events)") }
        XCTAssertGreaterThanOrEqual(until, 500 * ms, "a jittered first backoff from the upper half of 1s")
        XCTAssertEqual(picks(&second, decision, now: 1), [b], "the other loop sees the eviction at once")
        XCTAssertEqual(picks(&first, decision, now: 1), [b])
    }

    func testProbationAdmitsOneRequestThenRestoresOrEvictsLonger() throws {
        let board = HealthBoard()
        var first = Destinations(board: board)
        var second = Destinations(board: board)
        let decision = try decision()
        guard case .evicted(_, let until)? = fail(&first, decision, on: a, count: 3, now: 0).last else { return XCTFail() }

        // Due: exactly one request, on one loop, goes to the evicted endpoint.
        guard case .success(let probe) = first.pick(decision, now: until, random: &random) else { return XCTFail() }
        XCTAssertEqual(probe.endpoint, a)
        XCTAssertTrue(probe.probe)
        XCTAssertEqual(picks(&second, decision, now: until), [b], "while the probe is out, nothing else goes there")

        // The probe fails: evicted again, for longer (the second eviction in a row).
        first.finished(probe, rtt: nil, now: until, policy: decision.policy.balance)
        guard case .evicted(a, let again)? = first.record(probe, success: false, now: until, policy: decision.policy.accrual,
                                                          random: &random).endpoint else { return XCTFail() }
        XCTAssertGreaterThanOrEqual(again - until, 1_000 * ms, "backoff doubled: from the upper half of 2s")

        // The next probe succeeds: restored on both loops.
        guard case .success(let second1) = second.pick(decision, now: again, random: &random), second1.probe else { return XCTFail() }
        XCTAssertEqual(second.record(second1, success: true, now: again, policy: decision.policy.accrual, random: &random).endpoint,
                       .restored(a))
        second.finished(second1, rtt: ms, now: again, policy: decision.policy.balance)
        XCTAssertEqual(picks(&first, decision, now: again + 1), [a, b])
    }

    func testAProbeWhoseClientLeftIsReleased() throws {
        let board = HealthBoard()
        var loop = Destinations(board: board)
        let decision = try decision()
        guard case .evicted(_, let until)? = fail(&loop, decision, on: a, count: 3, now: 0).last else { return XCTFail() }
        guard case .success(let probe) = loop.pick(decision, now: until, random: &random), probe.probe else { return XCTFail() }
        XCTAssertEqual(loop.record(probe, success: nil, now: until, policy: decision.policy.accrual, random: &random), .none)
        guard case .success(let next) = loop.pick(decision, now: until + 1, random: &random) else { return XCTFail() }
        XCTAssertTrue(next.probe, "the next request probes instead")
    }

    func testMaxEjectionKeepsTheLastEndpointsIn() throws {
        var loop = Destinations(board: HealthBoard())
        let decision = try decision()
        XCTAssertEqual(fail(&loop, decision, on: a, count: 3, now: 0).count, 1)
        XCTAssertTrue(fail(&loop, decision, on: b, count: 5, now: 0).isEmpty, "50%: one of two endpoints may be out, not both")
        XCTAssertEqual(picks(&loop, decision, now: 1), [b])
    }

    func testWithEveryEndpointEvictedTheLeastBadOrFailFast() throws {
        let board = HealthBoard()
        var loop = Destinations(board: board)
        let lenient = try decision("accrual consecutive 1 backoff 1s..1s max-ejection 100%")
        _ = fail(&loop, lenient, on: a, count: 1, now: 0)
        _ = fail(&loop, lenient, on: b, count: 1, now: 100 * ms)
        XCTAssertEqual(picks(&loop, lenient, now: 200 * ms), [a], "the eviction that ends first")

        var strict = Destinations(board: board)
        let failFast = try decision("accrual consecutive 1 backoff 1s..1s max-ejection 100% fail-fast")
        guard case .failure(let unavailable) = strict.pick(failFast, now: 200 * ms, random: &random) else { return XCTFail() }
        XCTAssertTrue(unavailable.reason.contains("evicted"), unavailable.reason)
    }

    func testEachLoopHasItsShareOfTheBudgetMinimum() throws {
        let decision = try decision()
        let leaf = decision.leaves[0]
        // 20%, min 10/s over a 10s ttl: 100 retries in reserve, 50 per loop of two.
        let budget = RetryBudget(percent: 20, minPerSecond: 10, ttl: .seconds(10))
        var half = Destinations(board: HealthBoard(), budgetShare: 0.5)
        var granted = 0
        while half.withdraw(leaf, budget: budget, now: 0), granted < 1_000 { granted += 1 }
        XCTAssertEqual(granted, 50)
        for _ in 0..<10 { _ = half.pick(decision, deposit: budget, now: 1, random: &random) }
        XCTAssertTrue(half.withdraw(leaf, budget: budget, now: 1))
        XCTAssertTrue(half.withdraw(leaf, budget: budget, now: 1))
        XCTAssertFalse(half.withdraw(leaf, budget: budget, now: 1), "ten requests earn two retries at 20%")
    }

    func testDeadlineHeaderInLinkerdsFormat() {
        XCTAssertEqual(DeadlineHeader.parse(["1700000000000000000 1700000000050000000"]), 1_700_000_000_050_000_000)
        XCTAssertEqual(DeadlineHeader.parse(["1 900", "garbage", "1 500"]), 500, "the strictest; one that does not parse is ignored")
        XCTAssertNil(DeadlineHeader.parse(["", "5"]))
        let wall: Int64 = 1_700_000_000_000_000_000
        XCTAssertEqual(DeadlineHeader.monotonic(wall + 50_000_000, wallNow: wall, monotonicNow: 1_000), 50_001_000)
        XCTAssertEqual(DeadlineHeader.monotonic(wall - 1, wallNow: wall, monotonicNow: 1_000), 1_000, "already passed")
        XCTAssertEqual(DeadlineHeader.value(deadline: 30 * ms, wallNow: wall, monotonicNow: 10 * ms).description, "\(wall) \(wall + 20_000_000)")
    }

    /// An endpoint discovery removes keeps its requests for the grace while
    /// it answers them well; a failure, or the end of the grace, ends it.
    func testARemovedEndpointKeepsServingForTheGrace() throws {
        var loop = Destinations(board: HealthBoard())
        loop.removalGrace = 1_000 * ms
        let both = try decision(endpoints: [a, b])
        let onlyA = try decision(endpoints: [a])
        XCTAssertEqual(picks(&loop, both, now: 0), [a, b])
        XCTAssertEqual(picks(&loop, onlyA, now: 10 * ms), [a, b], "b was removed 0 ms ago and has not failed")
        XCTAssertEqual(picks(&loop, onlyA, now: 1_011 * ms), [a], "the grace is over")

        var failing = Destinations(board: HealthBoard())
        failing.removalGrace = 1_000 * ms
        _ = picks(&failing, both, now: 0)
        _ = picks(&failing, onlyA, now: 1)
        _ = fail(&failing, onlyA, on: b, count: 1, now: 2)
        XCTAssertEqual(picks(&failing, onlyA, now: 3), [a], "a departing endpoint that fails leaves at once")

        var off = Destinations(board: HealthBoard())
        _ = picks(&off, both, now: 0)
        XCTAssertEqual(picks(&off, onlyA, now: 1), [a], "no grace by default")
    }

    func testStackOrder() {
        XCTAssertEqual(RequestStack.description, "route -> destination -> endpoint")
    }
}
