import Foundation
import Logging
import NIOCore
import NIOPosix
import Proxy
import XCTest

// MARK: - RuntimeTests

/// The whole runtime from a rule file on disk: admin API, reloads (valid and
/// invalid, under load), and the graceful drain.
final class RuntimeTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var backendA: TestBackend!
    var backendB: TestBackend!
    var directory: URL!
    var rules: URL!
    var runtime: ProxyRuntime!

    override func setUp() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        backendA = try await TestBackend(name: "a", group: group)
        backendB = try await TestBackend(name: "b", group: group)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-rt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "127.0.0.1 \(backendA.port)\n".write(to: directory.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        try "127.0.0.1 \(backendB.port)\n".write(to: directory.appendingPathComponent("b"), atomically: true, encoding: .utf8)
        rules = directory.appendingPathComponent("rules.routes")
        try rulesText(target: "a").write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        runtime = try ProxyRuntime(path: rules.path, threads: 2, logger: logger)
        try await runtime.start()
    }

    override func tearDown() async throws {
        await runtime?.stop(grace: .seconds(1))
        await backendA?.close()
        await backendB?.close()
        try? await group.shutdownGracefully()
        try? FileManager.default.removeItem(at: directory)
    }

    func rulesText(target: String) -> String {
        """
        listen 127.0.0.1:0
        admin 127.0.0.1:0
        namer disco = files "\(directory.path)"
        identify host
        dtab {
          /svc => /#/disco;
          /svc/x => /#/disco/\(target);
        }
        route slow {
          when path prefix "/slow"
          to /svc/a
        }
        """
    }

    var port: Int { runtime.listenerAddresses.withLockedValue { $0[0].port! } }
    var adminPort: Int { runtime.adminAddress!.port! }

    func admin(_ path: String) throws -> String {
        try RawClient.exchange(port: adminPort, "GET \(path) HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").text
    }

    func get(_ host: String, _ path: String = "/") throws -> RawClient.Reply {
        try RawClient.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n", timeout: 5)
    }

    func testAdminEndpoints() throws {
        XCTAssertTrue(try get("a").text.hasPrefix("HTTP/1.1 200 OK"))
        // Connections, bytes and in-flight reach the shared series at the loops' next 100 ms sweep.
        Thread.sleep(forTimeInterval: 0.3)
        let metrics = try admin("/metrics")
        let labels = #"route="default",name="/svc/a",dst="/#/disco/a""#
        XCTAssertTrue(metrics.contains("switchyard_requests_total{\(labels),status_class=\"2xx\",classification=\"success\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_requests_total{\(labels),status_class=\"5xx\",classification=\"failure\"} 0"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_request_duration_seconds_count{\(labels)} 1"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_request_attempts_count{\(labels)} 1"), metrics)
        XCTAssertTrue(metrics.contains(#"switchyard_reloads_total{result="rejected"} 0"#), "present from start")
        XCTAssertTrue(metrics.contains(#"switchyard_requests_in_flight 0"#), metrics)
        XCTAssertTrue(metrics.contains(#"switchyard_connections_total{listener="127.0.0.1:0"} 1"#), metrics)
        XCTAssertTrue(metrics.contains(#"switchyard_config_info{version=""#), metrics)
        XCTAssertTrue(try admin("/ready").hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(try admin("/live").hasPrefix("HTTP/1.1 200 OK"))
        let config = try admin("/config")
        XCTAssertTrue(config.contains("\"generation\" : 1"), config)
        XCTAssertTrue(config.contains("\"version\" : \""), config)
        XCTAssertTrue(try admin("/routes").contains("\"name\" : \"slow\""))
        XCTAssertTrue(try admin("/endpoints").contains("127.0.0.1:\(backendB.port)"))
        let explain = try admin("/explain?method=GET&url=http://x/y")
        XCTAssertTrue(explain.contains("\"name\" : \"/svc/x\""), explain)
        XCTAssertTrue(explain.contains("/#/disco/a"), explain)
        XCTAssertTrue(try admin("/nope").hasPrefix("HTTP/1.1 404"))
    }

    /// `/endpoints` shows the attempt loop's state: accrual per endpoint
    /// (a closed port evicted after two refusals, retried onto the live
    /// one), the loops' pending counts and EWMA; `/routes` the stack.
    func testEndpointsShowAccrualAndBalancerState() async throws {
        try "127.0.0.1 \(backendA.port)\n127.0.0.1 1\n".write(to: directory.appendingPathComponent("pool"), atomically: true,
                                                                encoding: .utf8)
        try (rulesText(target: "a") + "\nroute pool {\n  when host \"pool\"\n  to /svc/pool\n  accrual consecutive 2\n  balance round-robin\n}\n")
            .write(to: rules, atomically: true, encoding: .utf8)
        runtime.config.checkForChanges()
        for _ in 0..<20 { XCTAssertTrue(try get("pool").text.hasPrefix("HTTP/1.1 200 OK"), "a refusal is retried elsewhere") }
        try await Task.sleep(for: .milliseconds(1_200))
        let endpoints = try admin("/endpoints")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(endpoints.split(separator: "\r\n\r\n").last!.utf8))
            as? [String: Any])
        let pool = try XCTUnwrap((object["destinations"] as? [String: Any])?["/#/disco/pool"] as? [String: [String: Any]], endpoints)
        XCTAssertTrue((pool["127.0.0.1:1"]?["accrual"] as? String)?.hasPrefix("evicted for") ?? false, endpoints)
        XCTAssertEqual(pool["127.0.0.1:\(backendA.port)"]?["accrual"] as? String, "alive", endpoints)
        let loops = try XCTUnwrap(pool["127.0.0.1:\(backendA.port)"]?["loops"] as? [[String: Any]], endpoints)
        XCTAssertFalse(loops.isEmpty, endpoints)
        XCTAssertTrue(loops.allSatisfy { $0["pending"] as? Int == 0 && $0.keys.contains("ewmaMs") }, endpoints)
        XCTAssertTrue(try admin("/metrics").contains("switchyard_evictions_total{dst=\"/#/disco/pool\"} 1"))
        XCTAssertTrue(try admin("/routes").contains("route -> destination -> endpoint"))

        // A reload keeps what accrual learned: the state is keyed by bound name.
        try (rulesText(target: "b") + "\nroute pool {\n  when host \"pool\"\n  to /svc/pool\n  accrual consecutive 3\n}\n")
            .write(to: rules, atomically: true, encoding: .utf8)
        runtime.config.checkForChanges()
        XCTAssertEqual(runtime.config.status.generation, 3)
        XCTAssertTrue(try admin("/endpoints").contains("evicted for"), "still evicted after the reload")
    }

    /// A namer whose directory is missing: the proxy serves (other names
    /// still work), but `/ready` says which namer has produced nothing, until
    /// its directory appears.
    func testReadyWaitsForEveryNamerToProduceAServiceSet() async throws {
        let missing = directory.appendingPathComponent("later")
        let file = directory.appendingPathComponent("waiting.routes")
        try "listen 127.0.0.1:0\nadmin 127.0.0.1:0\nnamer later = files \"later\"\nidentify host\ndtab { /svc => /#/later; }\n"
            .write(to: file, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        let waiting = try ProxyRuntime(path: file.path, threads: 1, logger: logger)
        try await waiting.start()
        let adminPort = waiting.adminAddress!.port!
        func ready() throws -> String {
            try RawClient.exchange(port: adminPort, "GET /ready HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").text
        }
        let before = try ready()
        XCTAssertTrue(before.hasPrefix("HTTP/1.1 503"), before)
        XCTAssertTrue(before.contains("namer later has produced no services yet: cannot read directory \(missing.path)"), before)
        try FileManager.default.createDirectory(at: missing, withIntermediateDirectories: true)
        waiting.config.checkForChanges()
        XCTAssertTrue(try ready().hasPrefix("HTTP/1.1 200"), "ready once the directory exists, even empty")
        await waiting.stop(grace: .seconds(1))
    }

    /// A service file edited into garbage keeps its last good set: requests
    /// still reach the backend, and /endpoints and the metrics say why.
    func testACorruptEndpointFileKeepsTheLastGoodSet() throws {
        try "127.0.0.1 not-a-port\n".write(to: directory.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        runtime.config.checkForChanges()
        XCTAssertTrue(try get("a").text.hasPrefix("HTTP/1.1 200 OK"), "still served from the last good set")
        let endpoints = try admin("/endpoints")
        XCTAssertTrue(endpoints.contains("a line 1: invalid port `not-a-port`"), endpoints)
        XCTAssertTrue(endpoints.contains("\"state\" : \"ok\""), endpoints)
        let metrics = try admin("/metrics")
        XCTAssertTrue(metrics.contains("switchyard_namer_errors_total{namer=\"disco\"}"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_namer_endpoints{namer=\"disco\"} 2.0"), metrics)
    }

    func testInvalidReloadKeepsServingAndIsReported() throws {
        try "listen 127.0.0.1:0\nbogus\n".write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(runtime.config.reload(trigger: "test"), .rejected)
        XCTAssertTrue(try get("x").text.contains("x-backend: a"), "the old configuration still serves")
        let config = try admin("/config")
        XCTAssertTrue(config.contains("\"result\" : \"rejected\""), config)
        XCTAssertTrue(config.contains("unknown statement `bogus`"), config)
        XCTAssertTrue(try admin("/metrics").contains("switchyard_reloads_total{result=\"rejected\"} 1"))

        try rulesText(target: "b").write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(runtime.config.reload(trigger: "test"), .applied)
        XCTAssertTrue(try get("x").text.contains("x-backend: b"), "the new configuration serves")
    }

    /// A reload that would loop is rejected by lint, and the old file serves on.
    func testReloadWithADelegationLoopIsRejected() throws {
        let looping = rulesText(target: "a").replacingOccurrences(of: "/svc/x => /#/disco/a;", with: "/svc/x => /y;\n  /y => (/y & /y & /#/disco/b);")
        try looping.write(to: rules, atomically: true, encoding: .utf8)
        XCTAssertEqual(runtime.config.reload(trigger: "test"), .rejected)
        XCTAssertTrue(try get("x").text.contains("x-backend: a"), "the old configuration still serves")
        let config = try admin("/config")
        XCTAssertTrue(config.contains("RL0226"), config)
        XCTAssertTrue(config.contains("delegation loop: /y -> /y, with no way out"), config)
    }

    func testDiscoveryChangesAreApplied() throws {
        XCTAssertTrue(try get("x").text.contains("x-backend: a"))
        try "127.0.0.1 \(backendB.port)\n".write(to: directory.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        runtime.config.checkForChanges()
        let deadline = Date().addingTimeInterval(2)
        var moved = false
        while !moved, Date() < deadline { moved = try get("x").text.contains("x-backend: b") }
        XCTAssertTrue(moved, "the files namer's new endpoints are used")
    }

    /// 200 reloads alternating valid and invalid files while a client sends
    /// requests: no request fails and no invalid file is ever applied.
    func testReloadUnderLoad() throws {
        let port = self.port
        let stop = LockedFlag()
        let failures = LockedCounter()
        let sent = LockedCounter()
        let client = Thread {
            while !stop.isSet {
                let reply = try? RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout: 5)
                sent.increment()
                if !(reply?.text.hasPrefix("HTTP/1.1 200 OK") ?? false) { failures.increment() }
            }
        }
        client.start()
        var lastValidVersion = runtime.config.status.version
        for round in 0..<200 {
            if round % 2 == 0 {
                try "listen 127.0.0.1:0\nroute broken {\n  to /svc/{nope}\n}\n".write(to: rules, atomically: true, encoding: .utf8)
                XCTAssertEqual(runtime.config.reload(trigger: "load test"), .rejected)
                XCTAssertEqual(runtime.config.status.version, lastValidVersion, "round \(round): an invalid file was applied")
            } else {
                try rulesText(target: round % 4 == 1 ? "b" : "a").write(to: rules, atomically: true, encoding: .utf8)
                XCTAssertEqual(runtime.config.reload(trigger: "load test"), .applied)
                lastValidVersion = runtime.config.status.version
            }
        }
        stop.set()
        while !client.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertGreaterThan(sent.value, 20, "the client must have sent requests during the reloads")
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(runtime.config.status.reloadsApplied, 100)
        XCTAssertEqual(runtime.config.status.reloadsRejected, 100)
    }

    func testDrainLetsRequestsInFlightFinish() async throws {
        let port = self.port
        let result = LockedBox<String>()
        let slow = Thread {
            let reply = try? RawClient.exchange(port: port, "GET /slow?ms=700 HTTP/1.1\r\nHost: a\r\n\r\n", timeout: 5)
            result.set(reply?.text ?? "")
        }
        slow.start()
        try await Task.sleep(for: .milliseconds(200))
        await runtime.stop(grace: .seconds(5))
        runtime = nil
        while !slow.isFinished { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertTrue(result.value?.hasPrefix("HTTP/1.1 200 OK") ?? false, result.value ?? "")
        XCTAssertTrue(result.value?.contains("Connection: close") ?? false, "a draining proxy closes after the response")
        XCTAssertThrowsError(try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "no new connections after the drain")
    }
}

// MARK: - Small thread-safe helpers for the client threads

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ value: T) { lock.withLock { stored = value } }
}
