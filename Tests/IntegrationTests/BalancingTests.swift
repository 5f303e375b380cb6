import Foundation
import NIOPosix
import Proxy
import XCTest

// MARK: - BalancingTests

/// Endpoint choice with real backends: peak-EWMA steers traffic away from
/// an endpoint that has turned slow; round-robin, beside it, does not.
final class BalancingTests: XCTestCase {
    var fast: TestBackend!
    var slow: TestBackend!
    var fixture: ProxyFixture!

    override func setUp() async throws {
        fast = try await TestBackend(name: "fast", group: MultiThreadedEventLoopGroup.singleton)
        slow = try await TestBackend(name: "slow", group: MultiThreadedEventLoopGroup.singleton, delay: 150)
    }

    override func tearDown() async throws {
        await fixture?.stop()
        await fast.close()
        await slow.close()
    }

    /// Sequential requests (bounded: 40), each to the `pool` service whose
    /// two endpoints are the fast and the slow backend; the slow one's share.
    func slowShare(balance: String) async throws -> Double {
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            route pool {
              when host "pool"
              to /svc/pool
              balance \(balance)
            }
            """, files: ["pool": "127.0.0.1 \(fast.port)\n127.0.0.1 \(slow.port)\n"])
        var slowAnswers = 0
        let total = 40
        for _ in 0..<total {
            let reply = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.1\r\nHost: pool\r\nConnection: close\r\n\r\n", timeout: 3)
            XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
            if reply.text.contains("x-backend: slow") { slowAnswers += 1 }
        }
        return Double(slowAnswers) / Double(total)
    }

    func testPeakEWMAAvoidsTheSlowEndpoint() async throws {
        let share = try await slowShare(balance: "peak-ewma decay 10s default-rtt 1ms")
        // One or two requests measure it; after that it costs 150 ms against ~1.
        XCTAssertLessThanOrEqual(share, 0.1, "slow share \(share)")
    }

    func testRoundRobinSplitsEvenlyWhateverTheLatency() async throws {
        let share = try await slowShare(balance: "round-robin")
        XCTAssertEqual(share, 0.5, accuracy: 0.05, "slow share \(share)")
    }
}
