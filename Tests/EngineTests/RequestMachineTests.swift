@testable import Engine
import RouteLang
import XCTest

// MARK: - RequestMachineTests

/// A request's attempts driven by hand: events in, actions out, time injected.
final class RequestMachineTests: XCTestCase {
    let a = Endpoint(host: "10.0.0.1", port: 80)
    let b = Endpoint(host: "10.0.0.2", port: 80)
    let ms: UInt64 = 1_000_000
    var random = BalancerTests.Seeded(state: 5)

    func policy(_ text: String) throws -> Policy {
        let result = RuleFrontEnd.lint(SourceFile(name: "t.routes", text: "defaults {\n\(text)\n}\nroute r { to /svc/a }\n"))
        return try XCTUnwrap(result.config, "\(result.diagnostics.items.map(\.message))").defaults
    }

    func testRetryableResponseGoesToAnotherEndpoint() throws {
        var machine = RequestMachine(policy: try policy("retry on 5xx limit 2"), method: "GET", bodyReplayable: true, now: 0)
        XCTAssertEqual(machine.start(now: 0), .pick(attempt: 1, excluding: []))
        XCTAssertEqual(machine.picked(a, now: 0), .send(endpoint: a, attempt: 1, replayBody: false, attemptDeadline: nil))
        XCTAssertEqual(machine.ended(.response(status: 503), now: 5 * ms, withdraw: { true }, random: &random),
                       .pick(attempt: 2, excluding: [a]))
        XCTAssertEqual(machine.picked(b, now: 5 * ms), .send(endpoint: b, attempt: 2, replayBody: true, attemptDeadline: nil))
        XCTAssertEqual(machine.ended(.response(status: 200), now: 9 * ms, withdraw: { XCTFail("no budget asked for a success"); return true },
                                     random: &random), .respond(retries: 1))
    }

    func testPostIsNotRetriedButAConnectErrorIs() throws {
        let retry = try policy("retry on 5xx, connect-error limit 2")
        var post = RequestMachine(policy: retry, method: "POST", bodyReplayable: true, now: 0)
        _ = post.start(now: 0)
        _ = post.picked(a, now: 0)
        XCTAssertEqual(post.ended(.response(status: 500), now: 1, withdraw: { true }, random: &random), .respond(retries: 0))

        var refused = RequestMachine(policy: retry, method: "POST", bodyReplayable: false, now: 0)
        _ = refused.start(now: 0)
        _ = refused.picked(a, now: 0)
        XCTAssertEqual(refused.ended(.connectError, now: 1, withdraw: { true }, random: &random), .pick(attempt: 2, excluding: [a]),
                       "nothing was sent: safe even for POST")
    }

    func testLimitAndBudgetStopRetries() throws {
        var machine = RequestMachine(policy: try policy("retry on 5xx limit 1"), method: "GET", bodyReplayable: true, now: 0)
        _ = machine.start(now: 0)
        _ = machine.picked(a, now: 0)
        _ = machine.ended(.response(status: 502), now: 1, withdraw: { true }, random: &random)
        _ = machine.picked(b, now: 1)
        XCTAssertEqual(machine.ended(.response(status: 502), now: 2, withdraw: { true }, random: &random), .respond(retries: 1),
                       "the limit: the last response goes to the client")

        var broke = RequestMachine(policy: try policy("retry on 5xx limit 3"), method: "GET", bodyReplayable: true, now: 0)
        _ = broke.start(now: 0)
        _ = broke.picked(a, now: 0)
        XCTAssertEqual(broke.ended(.response(status: 502), now: 1, withdraw: { false }, random: &random), .respond(retries: 0),
                       "an empty budget: no retry")
    }

    func testDeadlines() throws {
        let timed = try policy("timeout 100ms\nattempt-timeout 30ms\nretry on attempt-timeout limit 5 backoff 10ms..20ms")
        var machine = RequestMachine(policy: timed, method: "GET", bodyReplayable: true, now: 0, propagatedDeadline: 50 * ms)
        XCTAssertEqual(machine.deadline, 50 * ms, "a propagated deadline can only shorten the route's")
        _ = machine.start(now: 0)
        XCTAssertEqual(machine.picked(a, now: 0), .send(endpoint: a, attempt: 1, replayBody: false, attemptDeadline: 30 * ms))
        guard case .wait(let until) = machine.ended(.attemptTimeout, now: 30 * ms, withdraw: { true }, random: &random) else {
            return XCTFail("a jittered backoff first")
        }
        XCTAssertGreaterThanOrEqual(until, 35 * ms)
        XCTAssertEqual(machine.backoffElapsed(now: until), .pick(attempt: 2, excluding: [a]))
        XCTAssertEqual(machine.picked(b, now: until), .send(endpoint: b, attempt: 2, replayBody: true, attemptDeadline: 50 * ms),
                       "the attempt deadline never outlives the request's")
        XCTAssertEqual(machine.ended(.attemptTimeout, now: 50 * ms, withdraw: { true }, random: &random),
                       .fail(status: 504, error: "deadline from l5d-ctx-deadline exceeded", retries: 1))

        var late = RequestMachine(policy: timed, method: "GET", bodyReplayable: true, now: 0, propagatedDeadline: 0)
        XCTAssertEqual(late.start(now: 1), .fail(status: 504, error: "deadline from l5d-ctx-deadline exceeded before the first attempt", retries: 0),
                       "no attempt starts past the deadline")

        var noRoom = RequestMachine(policy: try policy("timeout 100ms\nretry on 5xx limit 3 backoff 80ms..80ms"), method: "GET",
                                    bodyReplayable: true, now: 0)
        _ = noRoom.start(now: 0)
        _ = noRoom.picked(a, now: 0)
        XCTAssertEqual(noRoom.ended(.response(status: 503), now: 60 * ms, withdraw: { true }, random: &random), .respond(retries: 0),
                       "a retry that cannot finish before the deadline does not start")
    }

    func testNoEndpointsAndConnectFailuresAnswerWithOurOwnError() throws {
        var empty = RequestMachine(policy: .builtIn, method: "GET", bodyReplayable: true, now: 0)
        _ = empty.start(now: 0)
        XCTAssertEqual(empty.picked(nil, now: 0), .fail(status: 503, error: "no endpoints", retries: 0))

        var refused = RequestMachine(policy: .builtIn, method: "GET", bodyReplayable: true, now: 0)
        _ = refused.start(now: 0)
        for attempt in 1...3 {
            _ = refused.picked(a, now: 0)
            let action = refused.ended(.connectError, now: 0, withdraw: { true }, random: &random)
            if attempt < 3 {
                XCTAssertEqual(action, .pick(attempt: attempt + 1, excluding: [a]))
            } else {
                XCTAssertEqual(action, .fail(status: 502, error: "cannot connect to 10.0.0.1:80", retries: 2), "built-in: 2 retries")
            }
        }
    }

    func testAStreamedAnswerIsReclassifiedWhenItEndsButNeverRetried() throws {
        var machine = RequestMachine(policy: try policy("retry on unavailable limit 2\nclassify not-found as success"),
                                     method: "POST", bodyReplayable: true, now: 0)
        _ = machine.start(now: 0)
        _ = machine.picked(a, now: 0)
        XCTAssertEqual(machine.ended(.response(status: 200), now: 1, withdraw: { true }, random: &random), .respond(retries: 0))
        XCTAssertEqual(machine.lastClass, .success, "the head alone says success")
        XCTAssertEqual(machine.answerEnded(.grpc(.unavailable)), .retryableFailure)
        XCTAssertEqual(machine.lastClass, .retryableFailure, "the trailers' status replaces the head's class")
        XCTAssertEqual(machine.attempt, 1, "no second attempt once the answer is under way")
        XCTAssertEqual(machine.answerEnded(.grpc(.notFound)), .success, "classify rules apply to a status in trailers too")
        XCTAssertEqual(machine.answerEnded(.reset), .failure)

        var unfinished = RequestMachine(policy: .builtIn, method: "GET", bodyReplayable: true, now: 0)
        _ = unfinished.start(now: 0)
        _ = unfinished.answerEnded(.reset)
        XCTAssertNil(unfinished.lastClass, "only an answer that was given can end")
    }
}
