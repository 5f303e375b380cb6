import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Proxy
import XCTest

// MARK: - ChaosTests

/// The attempt loop against real backends on loopback that die, fail, slow
/// down and recover under bounded load. Each test asserts a number and
/// prints it on a `CHAOS` line (the figures quoted in the issue's note).
final class ChaosTests: XCTestCase {
    var fixture: ProxyFixture!
    var backends: [ChaosBackend] = []

    override func tearDown() async throws {
        await fixture?.stop()
        for backend in backends { await backend.kill() }
    }

    /// Starts `count` backends and the proxy, whose `pool` service lists them all.
    func start(_ count: Int, policy: String, mode: ChaosBackend.Mode = .healthy) async throws {
        for index in 1...count {
            backends.append(try await ChaosBackend(name: "b\(index)", group: MultiThreadedEventLoopGroup.singleton, mode: mode))
        }
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            route pool {
              when host "pool"
              to /svc/pool
              \(policy)
            }
            """, files: ["pool": backends.map { "127.0.0.1 \($0.port)\n" }.joined()])
    }

    /// The sum of a counter of the proxy's metrics over its label sets.
    func counter(_ name: String) -> Int {
        fixture.server.metrics.exposition().split(separator: "\n")
            .filter { $0.hasPrefix("switchyard_\(name)_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0) { $0 + Int($1) }
    }

    func load(total: Int, concurrency: Int = 4, progress: NIOLockedValueBox<Int>? = nil,
              request: @escaping @Sendable (Int) -> [UInt8] = { _ in LoadClient.get("pool") }) async -> LoadClient.Run {
        let port = fixture.port
        return await Task.detached {
            LoadClient.run(port: port, total: total, concurrency: concurrency, seconds: 60, progress: progress, request: request)
        }.value
    }

    static func report(_ text: String) {
        print("CHAOS \(text)")
    }

    // MARK: Tests

    func testABackendKilledMidRunIsAbsorbed() async throws {
        try await start(3, policy: "retry on 5xx, connect-error, reset limit 2\n  balance least-loaded")
        let progress = NIOLockedValueBox(0)
        let total = 3_000
        let port = fixture.port
        let run = Task.detached {
            LoadClient.run(port: port, total: total, concurrency: 8, seconds: 60, progress: progress) { _ in LoadClient.get("pool") }
        }
        while progress.withLockedValue({ $0 }) < total / 3 { try await Task.sleep(for: .milliseconds(5)) }
        await backends[1].kill()
        let result = await run.value
        Self.report("killed backend: \(result.replies.count) GETs, success \(String(format: "%.4f", result.successRate)), "
                    + "b2 share \(String(format: "%.3f", result.share(of: "b2"))) in \(String(format: "%.1f", result.seconds)) s")
        XCTAssertEqual(result.replies.count, total)
        XCTAssertGreaterThan(result.share(of: "b2"), 0.05, "the killed backend had its share before")
        XCTAssertGreaterThanOrEqual(result.successRate, 0.999)
    }

    func testAFailingBackendIsEvictedProbedAndRestored() async throws {
        // least-loaded: every endpoint takes its share at once (peak-EWMA
        // would leave one never measured alone while the others are faster).
        try await start(3, policy: "retry on 5xx limit 2\n  accrual consecutive 5 backoff 300ms..600ms\n  balance least-loaded")
        backends[1].set(.failing)
        let failing = await load(total: 1_500)
        let evictions = counter("evictions")
        let sentWhileFailing = backends[1].requests()
        Self.report("500 backend: success \(String(format: "%.4f", failing.successRate)) of \(failing.replies.count), "
                    + "\(evictions) evictions, \(counter("probes")) probes, the failing backend got \(sentWhileFailing) attempts")
        XCTAssertGreaterThanOrEqual(failing.successRate, 0.99)
        XCTAssertGreaterThanOrEqual(evictions, 1)
        XCTAssertGreaterThanOrEqual(sentWhileFailing, 5, "evicted at the configured fifth failure in a row, not before")
        XCTAssertLessThanOrEqual(sentWhileFailing, 5 + counter("probes") + 3,
                                 "after it only probes (and attempts picked before the eviction, at most one per other client)")

        backends[1].set(.healthy)
        try await Task.sleep(for: .milliseconds(700))
        let recovered = await load(total: 1_000)
        Self.report("500 backend recovered: \(counter("restorations")) restorations, share \(String(format: "%.3f", recovered.share(of: "b2"))), "
                    + "success \(String(format: "%.4f", recovered.successRate))")
        XCTAssertGreaterThanOrEqual(counter("restorations"), 1)
        XCTAssertGreaterThan(recovered.share(of: "b2"), 0.1, "restored: it takes traffic again")
        XCTAssertEqual(recovered.successRate, 1)
    }

    func testASlowedBackendLosesItsShareUnderPeakEWMA() async throws {
        try await start(3, policy: "balance peak-ewma decay 10s default-rtt 1ms")
        // On a busy 2-core machine one slow first answer (a scheduling
        // hiccup) can keep b3's estimate high for a while: warm up in
        // rounds, at most 5, until all three share the traffic.
        var warm = await load(total: 300)
        for _ in 1..<5 where warm.share(of: "b3") <= 0.1 { warm = await load(total: 300) }
        XCTAssertGreaterThan(warm.share(of: "b3"), 0.1, "all three measured and in use before the slowdown")
        backends[2].set(.slow(milliseconds: 1_000))
        let peak = await load(total: 2_000)
        Self.report("slow backend, peak-ewma: share \(String(format: "%.4f", peak.share(of: "b3"))), "
                    + "p50 \(String(format: "%.1f", peak.percentile(0.5))) ms, p99 \(String(format: "%.1f", peak.percentile(0.99))) ms")
        XCTAssertLessThan(peak.share(of: "b3"), 0.05)
        XCTAssertLessThan(peak.percentile(0.99), 100)
        XCTAssertEqual(peak.successRate, 1)

        // The same with round-robin, beside it (fewer requests: a third of them wait a second).
        await fixture.stop()
        for backend in backends { await backend.kill() }
        backends = []
        try await start(3, policy: "balance round-robin")
        backends[2].set(.slow(milliseconds: 1_000))
        let robin = await load(total: 120, concurrency: 12)
        Self.report("slow backend, round-robin: share \(String(format: "%.4f", robin.share(of: "b3"))), "
                    + "p50 \(String(format: "%.1f", robin.percentile(0.5))) ms, p99 \(String(format: "%.1f", robin.percentile(0.99))) ms")
        XCTAssertEqual(robin.share(of: "b3"), 1.0 / 3, accuracy: 0.05)
        XCTAssertGreaterThan(robin.percentile(0.99), 900)
    }

    func testAPostIsNotRetriedButAGetIs() async throws {
        try await start(1, policy: "retry on 5xx limit 2", mode: .failing)
        let posts = await load(total: 20, concurrency: 2) { _ in
            Array("POST /orders HTTP/1.1\r\nHost: pool\r\nContent-Length: 5\r\n\r\nhello".utf8)
        }
        XCTAssertEqual(posts.replies.map(\.status), Array(repeating: 500, count: 20))
        XCTAssertEqual(backends[0].requests("POST"), 20, "one attempt per POST")
        XCTAssertTrue(posts.replies.allSatisfy { $0.headers["l5d-retryable"] == nil }, "a POST is not known safe to repeat")

        let gets = await load(total: 20, concurrency: 2)
        XCTAssertEqual(gets.replies.map(\.status), Array(repeating: 500, count: 20))
        XCTAssertEqual(backends[0].requests("GET"), 60, "three attempts per GET (limit 2)")
        XCTAssertTrue(gets.replies.allSatisfy { $0.headers["l5d-retryable"] == "true" }, "the last 500 was retryable, not retried")
        Self.report("POST to a failing backend: \(backends[0].requests("POST")) attempts for 20 POSTs, "
                    + "\(backends[0].requests("GET")) for 20 GETs")
    }

    /// A PUT body within `retry-body-size` is sent again to the next
    /// endpoint; a longer one is streamed once and its 500 reaches the client.
    func testAnIdempotentBodyIsReplayedOnlyWithinTheLimit() async throws {
        try await start(2, policy: "retry on 5xx limit 1\n  balance round-robin\n  accrual consecutive 1000")
        backends[0].set(.failing)
        let small = String(repeating: "s", count: 1_000)
        let replayed = await load(total: 10, concurrency: 1) { _ in
            Array("PUT /item HTTP/1.1\r\nHost: pool\r\nContent-Length: 1000\r\n\r\n\(small)".utf8)
        }
        XCTAssertEqual(replayed.replies.map(\.status), Array(repeating: 200, count: 10))
        XCTAssertTrue(replayed.replies.allSatisfy { $0.headers["x-body-bytes"] == "1000" }, "the whole body, every time")
        XCTAssertGreaterThanOrEqual(backends[0].requests("PUT"), 4, "round-robin sent about half the first attempts to the failing one")

        let failedBefore = backends[0].requests("PUT")
        let large = String(repeating: "l", count: 100_000)
        let streamed = await load(total: 10, concurrency: 1) { _ in
            Array("PUT /item HTTP/1.1\r\nHost: pool\r\nContent-Length: 100000\r\n\r\n\(large)".utf8)
        }
        let failedAttempts = backends[0].requests("PUT") - failedBefore
        XCTAssertGreaterThan(failedAttempts, 0)
        XCTAssertEqual(streamed.replies.filter { $0.status == 500 }.count, failedAttempts, "past 64KiB: no replay, no retry")
        Self.report("PUT replay: 10 x 1000 B all 200 after \(failedBefore) failed first attempts; "
                    + "10 x 100 kB: \(failedAttempts) reached the failing backend and were answered 500")
    }

    func testARetryBudgetBoundsAttemptsWhenEveryBackendFails() async throws {
        try await start(3, policy: "retry on 5xx limit 3 budget 20% min 5/s ttl 1s", mode: .failing)
        let run = await load(total: 600)
        let attempts = backends.reduce(0) { $0 + $1.requests() }
        // Finagle's budget: 20% of requests, plus 5/s for every ttl window the run touched.
        let bound = 1.2 * Double(run.replies.count) + 5 * (run.seconds + 1)
        Self.report("every backend failing: \(attempts) attempts for \(run.replies.count) requests in "
                    + "\(String(format: "%.2f", run.seconds)) s (bound \(Int(bound))), \(counter("retry_budget_exhausted")) retries refused")
        XCTAssertEqual(run.replies.count, 600)
        XCTAssertGreaterThan(attempts, run.replies.count, "the budget allows some retries")
        XCTAssertLessThanOrEqual(Double(attempts), bound)
        XCTAssertGreaterThan(counter("retry_budget_exhausted"), 0)
    }

    func testAPropagatedDeadlineEndsTheRequestWithoutARetry() async throws {
        try await start(1, policy: "retry on 5xx, attempt-timeout, reset limit 3", mode: .slow(milliseconds: 200))
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let started = Date()
        let reply = try RawClient.exchange(port: fixture.port, """
            GET / HTTP/1.1\r\nHost: pool\r\nl5d-ctx-deadline: \(now) \(now + 50_000_000)\r\nConnection: close\r\n\r\n
            """, timeout: 3)
        let elapsed = Date().timeIntervalSince(started) * 1000
        try await Task.sleep(for: .milliseconds(300))
        Self.report("l5d-ctx-deadline 50 ms against a 200 ms backend: \(reply.text.prefix(24).split(separator: "\r").first ?? "") "
                    + "after \(String(format: "%.1f", elapsed)) ms, \(backends[0].requests()) attempt(s)")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 504 "), reply.text)
        XCTAssertTrue(reply.text.contains("l5d-ctx-deadline exceeded"), reply.text)
        XCTAssertEqual(elapsed, 50, accuracy: 40)
        XCTAssertEqual(backends[0].requests(), 1, "no retry after the deadline")

        let late = try RawClient.exchange(port: fixture.port, """
            GET / HTTP/1.1\r\nHost: pool\r\nl5d-ctx-deadline: \(now - 10) \(now - 5)\r\nConnection: close\r\n\r\n
            """, timeout: 3)
        XCTAssertTrue(late.text.hasPrefix("HTTP/1.1 504 "), late.text)
        XCTAssertEqual(backends[0].requests(), 1, "a passed deadline starts no attempt")
    }

    func testTheRemainingDeadlineIsPropagated() async throws {
        try await start(1, policy: "timeout 5s")
        let reply = try fixture.curl("/echo", host: "a", ["-H", "x-test: 1"])
        XCTAssertNil(reply.headers["x-echo-l5d-ctx-deadline"], "route without a timeout: none sent")
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let echoed = try fixture.curl("/echo", host: "a", ["-H", "l5d-ctx-deadline: \(now) \(now + 3_000_000_000)"])
        let parts = (echoed.headers["x-echo-l5d-ctx-deadline"] ?? "").split(separator: " ").compactMap { Int64($0) }
        XCTAssertEqual(parts.count, 2, "\(echoed.headers)")
        if parts.count == 2 {
            XCTAssertLessThanOrEqual(parts[1] - parts[0], 3_000_000_000, "what is left, never more than the caller gave")
            XCTAssertGreaterThan(parts[1] - parts[0], 2_000_000_000)
        }
    }
}
