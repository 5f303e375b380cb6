import XCTest

// MARK: - DemoCommandTests

/// `switchyard demo` end to end: in-process backends, the proxy on the
/// quickstart example, traffic, and a summary that shows the canary split
/// and the fail-over.
final class DemoCommandTests: XCTestCase {
    func testDemoShowsSplitAndFailover() throws {
        let result = try CLIRunner.run(["demo", "--requests", "200", "--concurrency", "4"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertFalse(result.stderr.contains("warning"), "the demo's own setup warns of nothing:\n\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("Phase 1: 200 requests"), result.stdout)
        XCTAssertTrue(result.stdout.contains("/#/disco/users-v1"), result.stdout)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertTrue(lines.contains { $0.hasPrefix("pay /#/disco/pay-eu 40 100.0%") }, "phase 1 pays go to pay-eu:\n\(result.stdout)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("pay /#/disco/pay-us 40 100.0%") }, "phase 2 pays fail over to pay-us:\n\(result.stdout)")
        XCTAssertFalse(result.stdout.contains("answered by the proxy"), "every request reaches a backend:\n\(result.stdout)")
        XCTAssertTrue(result.stdout.contains("attempts  retries  evicted   errors"), result.stdout)
        let rows = lines.filter { $0.contains("/#/disco/") && !$0.contains("dtab") && !$0.hasPrefix("switchyard_") }
        XCTAssertGreaterThanOrEqual(rows.count, 10, result.stdout)
        for row in rows {
            XCTAssertEqual(row.split(separator: " ").last, "0", "retries hide users-v2's failing instance from clients:\n\(result.stdout)")
        }
    }
}
