@testable import Engine
import RouteLang
import XCTest

// MARK: - ResilienceTests

/// Classification, the retry decision, backoff and Finagle's retry budget,
/// as pure values with an injected clock.
final class ResilienceTests: XCTestCase {
    let second: UInt64 = 1_000_000_000

    func policy(_ text: String) throws -> Policy {
        let result = RuleFrontEnd.lint(SourceFile(name: "t.routes", text: "defaults {\n\(text)\n}\nroute r { to /svc/a }\n"))
        return try XCTUnwrap(result.config, "\(result.diagnostics.items.map(\.message))").defaults
    }

    func testDefaultClassification() throws {
        let classifier = ResponseClassifier(try policy("timeout 1s"))
        XCTAssertEqual(classifier.classify(.response(status: 200)), .success)
        XCTAssertEqual(classifier.classify(.response(status: 404)), .success)
        XCTAssertEqual(classifier.classify(.response(status: 503)), .failure, "5xx is a failure, retried only when `retry on` names it")
        XCTAssertEqual(classifier.classify(.connectError), .retryableFailure, "nothing was sent: always safe")
        XCTAssertEqual(classifier.classify(.reset), .failure)
    }

    func testRetryClassesAndRulesAsData() throws {
        let classifier = ResponseClassifier(try policy("""
            retry on 5xx, attempt-timeout limit 2
            classify 503 as success
            classify 429 as retryable-failure
            """))
        XCTAssertEqual(classifier.classify(.response(status: 502)), .retryableFailure)
        XCTAssertEqual(classifier.classify(.response(status: 503)), .success, "a rule wins over the retry classes")
        XCTAssertEqual(classifier.classify(.response(status: 429)), .retryableFailure)
        XCTAssertEqual(classifier.classify(.attemptTimeout), .retryableFailure)
        XCTAssertEqual(classifier.classify(.reset), .failure)
    }

    func testOnlySafeRequestsAreRetried() throws {
        let retry = try policy("retry on 5xx limit 2").retry
        func may(_ outcome: AttemptOutcome, _ method: String, retries: Int = 0, replayable: Bool = true) -> Bool {
            RetryDecision.mayRetry(outcome, classified: .retryableFailure, method: method, retriesSoFar: retries,
                                   policy: retry, bodyReplayable: replayable)
        }
        XCTAssertTrue(may(.response(status: 503), "GET"))
        XCTAssertFalse(may(.response(status: 503), "POST"), "POST is not idempotent")
        XCTAssertTrue(may(.connectError, "POST"), "a connect error is always safe")
        XCTAssertFalse(may(.response(status: 503), "PUT", replayable: false), "a body that was not buffered cannot be replayed")
        XCTAssertFalse(may(.response(status: 503), "GET", retries: 2), "the limit")
        XCTAssertFalse(RetryDecision.mayRetry(.response(status: 200), classified: .success, method: "GET", retriesSoFar: 0,
                                              policy: retry, bodyReplayable: true))
        let optIn = try policy("retry on 5xx methods POST").retry
        XCTAssertTrue(RetryDecision.mayRetry(.response(status: 500), classified: .retryableFailure, method: "POST", retriesSoFar: 0,
                                             policy: optIn, bodyReplayable: true))
    }

    func testBackoffIsExponentialJitteredAndCapped() {
        var random = BalancerTests.Seeded(state: 1)
        let range = DurationRange(.milliseconds(10), .milliseconds(100))
        for retry in 1...8 {
            let delay = RetryDecision.backoff(retry: retry, range: range, random: &random)
            let ceiling = min(100.0, 10.0 * Double(1 << (retry - 1)))
            let millis = Double(delay.components.attoseconds) / 1e15 + Double(delay.components.seconds) * 1e3
            XCTAssertGreaterThanOrEqual(millis, ceiling / 2 - 0.001, "retry \(retry)")
            XCTAssertLessThanOrEqual(millis, ceiling + 0.001, "retry \(retry)")
        }
        XCTAssertEqual(RetryDecision.backoff(retry: 3, range: nil, random: &random), .zero)
    }

    /// Finagle's semantics: a reserve of `min x ttl` retries, then `percent`
    /// of the requests made within the ttl.
    func testRetryBudgetReserveAndRatio() {
        var budget = RetryBudgetState(RetryBudget(percent: 20, minPerSecond: 1, ttl: .seconds(10)), now: 0)
        XCTAssertEqual(budget.balance(now: 0), 10, "the reserve: 1/s over 10 s")
        for _ in 0..<10 { XCTAssertTrue(budget.tryWithdraw(now: 0)) }
        XCTAssertFalse(budget.tryWithdraw(now: 0), "reserve spent, no requests yet")
        for _ in 0..<100 { budget.deposit(now: 0) }
        XCTAssertEqual(budget.balance(now: 0), 20, "20% of 100 requests")
        for _ in 0..<20 { XCTAssertTrue(budget.tryWithdraw(now: 0)) }
        XCTAssertFalse(budget.tryWithdraw(now: 0))
    }

    func testDepositsExpireAfterTheTTL() {
        var budget = RetryBudgetState(RetryBudget(percent: 50, minPerSecond: 0, ttl: .seconds(10)), now: 0)
        for _ in 0..<10 { budget.deposit(now: 0) }
        XCTAssertEqual(budget.balance(now: 0), 5)
        XCTAssertEqual(budget.balance(now: 5 * second), 5, "still inside the window")
        XCTAssertEqual(budget.balance(now: 11 * second), 0, "deposits older than the ttl are gone")
        XCTAssertFalse(budget.tryWithdraw(now: 11 * second))
    }

    /// With every attempt failing, retries stay within
    /// `ratio x requests + min x ttl` whatever the load.
    func testBudgetBoundsRetriesUnderTotalFailure() {
        var budget = RetryBudgetState(RetryBudget(percent: 20, minPerSecond: 10, ttl: .seconds(10)), now: 0)
        var retries = 0
        let requests = 1_000
        for index in 0..<requests {
            let now = UInt64(index) * second / 100 // 100 requests a second for 10 s
            budget.deposit(now: now)
            // Each request would retry twice if allowed.
            for _ in 0..<2 where budget.tryWithdraw(now: now) { retries += 1 }
        }
        XCTAssertLessThanOrEqual(Double(retries), 0.2 * Double(requests) + 10 * 10 + 1)
        XCTAssertGreaterThan(retries, 200, "the ratio and the reserve are both available")
    }
}
