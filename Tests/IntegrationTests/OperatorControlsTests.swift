import Foundation
import NIOPosix
import XCTest

// MARK: - OperatorControlsTests

/// Controls operators expect, through a whole runtime with real backends:
/// `retry none`, `timeout none` and `accrual none` turn off in a route what
/// `defaults` gives; a header value matched ignoring case; per-endpoint
/// metrics only when asked for.
final class OperatorControlsTests: XCTestCase {
    var proxy: RuleFileRuntime!
    var chaos: ChaosBackend?

    override func setUp() async throws {
        proxy = try RuleFileRuntime()
    }

    override func tearDown() async throws {
        await proxy.stop()
        await chaos?.kill()
    }

    func testNoneTurnsOffAnInheritedPolicy() async throws {
        let failing = try await ChaosBackend(name: "failing", group: MultiThreadedEventLoopGroup.singleton, mode: .failing)
        chaos = failing
        let slow = try await proxy.backend("slow", delay: 300)
        try proxy.service("failing", [failing.port])
        try proxy.service("slow", [slow.port])
        try proxy.service("dead", [try await proxy.closedPort(), try await proxy.closedPort()])
        try proxy.service("dead-too", [try await proxy.closedPort(), try await proxy.closedPort()])
        try await proxy.start("""
            defaults {
              timeout 100ms
              retry on 5xx limit 2
              accrual consecutive 1 backoff 10s..10s
            }
            route retried { when host "retried"  to /svc/failing }
            route once { when host "once"  to /svc/failing  retry none }
            route bounded { when host "bounded"  to /svc/slow }
            route patient { when host "patient"  to /svc/slow  timeout none }
            route tolerant { when host "tolerant"  to /svc/dead  accrual none }
            route intolerant { when host "intolerant"  to /svc/dead-too }
            """)
        _ = try proxy.get("retried")
        XCTAssertEqual(failing.requests(), 3, "the defaults retry a 500 twice")
        _ = try proxy.get("once")
        XCTAssertEqual(failing.requests(), 4, "retry none: one attempt")

        XCTAssertTrue(try proxy.get("bounded").text.hasPrefix("HTTP/1.1 504 "), "the defaults' 100ms deadline")
        XCTAssertTrue(try proxy.get("patient").text.hasPrefix("HTTP/1.1 200 "), "timeout none: no deadline")

        for _ in 0..<5 {
            XCTAssertTrue(try proxy.get("tolerant").text.hasPrefix("HTTP/1.1 502 "))
            XCTAssertTrue(try proxy.get("intolerant").text.hasPrefix("HTTP/1.1 502 "))
        }
        let endpoints = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try proxy.admin("/endpoints").utf8)) as? [String: Any])
        let destinations = try XCTUnwrap(endpoints["destinations"] as? [String: [String: [String: Any]]])
        let tolerant = try XCTUnwrap(destinations["/#/disco/dead"]).values.compactMap { $0["accrual"] as? String }
        XCTAssertEqual(tolerant, ["alive", "alive"], "accrual none: nothing counted, nothing evicted")
        let intolerant = try XCTUnwrap(destinations["/#/disco/dead-too"]).values.compactMap { $0["accrual"] as? String }
        XCTAssertEqual(intolerant.filter { $0.hasPrefix("evicted for") }.count, 1, "the defaults evict one of two: \(intolerant)")
        let explain = try proxy.admin("/explain?url=http://once/&format=text")
        XCTAssertTrue(explain.contains("retry none"), explain)
    }

    /// `==` is exact; `~ "(?i)^staging$"` ignores case (docs/routelang.md).
    func testHeaderValuesMatchIgnoringCaseWithARegex() async throws {
        let prod = try await proxy.backend("prod")
        let staging = try await proxy.backend("staging")
        try proxy.service("prod", [prod.port])
        try proxy.service("staging", [staging.port])
        try await proxy.start("""
            route exact { when host "exact" and header "x-env" == "staging"  to /svc/staging }
            route exact-default { when host "exact"  to /svc/prod }
            route folded { when host "folded" and header "x-env" ~ "(?i)^staging$"  to /svc/staging }
            route folded-default { when host "folded"  to /svc/prod }
            """)
        XCTAssertEqual(try proxy.send(1, host: "exact", headers: ["x-env": "staging"]).answers, ["staging": 1])
        XCTAssertEqual(try proxy.send(1, host: "exact", headers: ["x-env": "Staging"]).answers, ["prod": 1])
        for value in ["staging", "Staging", "STAGING"] {
            XCTAssertEqual(try proxy.send(1, host: "folded", headers: ["X-Env": value]).answers, ["staging": 1], value)
        }
        XCTAssertEqual(try proxy.send(1, host: "folded", headers: ["x-env": "staging-2"]).answers, ["prod": 1])
    }

    /// Off by default; `limits { endpoint-metrics 1 }` gives one endpoint
    /// series of its own and the next `other`.
    func testPerEndpointMetricsAreOptIn() async throws {
        let first = try await proxy.backend("first")
        let second = try await proxy.backend("second")
        try proxy.service("pool", [first.port, second.port])
        try await proxy.start("route pool {\n  when host \"pool\"\n  to /svc/pool\n  balance round-robin\n}\n")
        _ = try proxy.send(4, host: "pool")
        XCTAssertFalse(try proxy.admin("/metrics").contains("switchyard_endpoint_attempts_total"))

        try (String(contentsOf: proxy.rules, encoding: .utf8) + "limits {\n  endpoint-metrics 1\n}\n")
            .write(to: proxy.rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(proxy.runtime.config.reload(trigger: "test"), .applied)
        _ = try proxy.send(4, host: "pool")
        let metrics = try proxy.admin("/metrics")
        let series = metrics.split(separator: "\n").filter { $0.hasPrefix("switchyard_endpoint_attempts_total{") && $0.contains("success") }
        XCTAssertEqual(series.count, 2, metrics)
        XCTAssertEqual(series.filter { $0.contains("endpoint=\"other\"") }.count, 1, "past the limit: \(series)")
        XCTAssertTrue(series.allSatisfy { $0.hasSuffix(" 2") }, "\(series)")
        XCTAssertTrue(metrics.contains("switchyard_endpoint_rtt_seconds_count{dst=\"/#/disco/pool\",endpoint=\"127.0.0.1:"), metrics)
    }
}
