import Engine
import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - EtcdDiscoveryTests

/// The etcd namer and config source against a real etcd on loopback ports:
/// endpoints registered and removed reach routing, an etcd restart keeps
/// the last good set and resumes the watch, a compacted revision is listed
/// again, and rules pushed to one key reach two proxies.
final class EtcdDiscoveryTests: XCTestCase {
    var etcd: EtcdServer!
    var backends: [String: TestBackend] = [:]
    var runtimes: [ProxyRuntime] = []
    var directory: URL!

    override func setUp() async throws {
        etcd = try EtcdServer()
        for name in ["a", "b", "fallback"] {
            backends[name] = try await TestBackend(name: name, group: MultiThreadedEventLoopGroup.singleton)
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-etcd-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for runtime in runtimes { await runtime.stop(grace: .seconds(1)) }
        for backend in backends.values { await backend.close() }
        etcd?.remove()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    var logger: Logger {
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        return logger
    }

    func port(_ name: String) -> Int { backends[name]!.port }

    /// A proxy whose `/svc` names come from etcd, falling back to the
    /// `fallback` backend for a name etcd does not have (or, with `dtab`,
    /// composed as it says).
    func startNamerProxy(dtab: String = "/svc => /#/fallback;\n  /svc => /#/e;") async throws -> ProxyRuntime {
        let rules = directory.appendingPathComponent("etcd.routes")
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            namer e = etcd "\(etcd.url)" prefix "/services/"
            namer fallback = static "127.0.0.1:\(port("fallback"))"
            identify host
            dtab {
              \(dtab)
            }
            """.write(to: rules, atomically: true, encoding: .utf8)
        let runtime = try ProxyRuntime(path: rules.path, threads: 1, logger: logger)
        try await runtime.start()
        runtimes.append(runtime)
        try await waitUntil("the first listing") { try self.admin(runtime, "/ready").hasPrefix("HTTP/1.1 200") }
        return runtime
    }

    func get(_ runtime: ProxyRuntime, _ host: String) throws -> String {
        let port = runtime.listenerAddresses.withLockedValue { $0[0].port! }
        return try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n", timeout: 5).text
    }

    func admin(_ runtime: ProxyRuntime, _ path: String) throws -> String {
        try RawClient.exchange(port: runtime.adminAddress!.port!, "GET \(path) HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").text
    }

    /// Polls `condition` (bounded: `seconds`), and fails with `what` if it never holds.
    @discardableResult
    func waitUntil(_ what: String, seconds: Double = 10, _ condition: () throws -> Bool) async throws -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if (try? condition()) == true { return Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(2))
        }
        XCTFail("timed out waiting for \(what)")
        return seconds
    }

    // MARK: Namer

    func testRegistrationsReachRoutingAndARemovedServiceFallsBack() async throws {
        let proxy = try await startNamerProxy()
        XCTAssertTrue(try get(proxy, "users").contains("hello from fallback"), "etcd has no users yet: neg, the dtab falls back")

        // 20 writes, each moving users to the other backend: the time from
        // etcdctl's acknowledged write to the first request routed by it.
        var times: [Double] = []
        for round in 0..<20 {
            let target = round % 2 == 0 ? "a" : "b"
            try etcd.register("users", "1", port: port(target))
            times.append(try await waitUntil("users on \(target)") { try self.get(proxy, "users").contains("hello from \(target)") })
        }
        times.sort()
        print("etcd write to routed request: median \(Int(times[10] * 1000)) ms, max \(Int(times[19] * 1000)) ms over 20 writes")

        try etcd.register("users", "2", port: port("a"), weight: 3)
        try await waitUntil("two endpoints") { try self.admin(proxy, "/endpoints").contains("127.0.0.1:\(self.port("a"))") }
        let endpoints = try admin(proxy, "/endpoints")
        XCTAssertTrue(endpoints.contains("\"kind\" : \"etcd\"") && endpoints.contains("\"state\" : \"ok\""), endpoints)

        try etcd.delete("/services/users/1")
        try etcd.delete("/services/users/2")
        try await waitUntil("users gone from etcd") { try self.get(proxy, "users").contains("hello from fallback") }

        try etcd.put("/services/users/bad", "not json")
        try await waitUntil("the bad key reported") { try self.admin(proxy, "/endpoints").contains("/services/users/bad: value is not") }
        XCTAssertTrue(try admin(proxy, "/metrics").contains(#"switchyard_namer_endpoints{namer="e"} 0"#))
    }

    /// Union merges two sources; `/endpoints` shows per source what it said
    /// and what the proxy has in rotation for it.
    func testAUnionSpreadsOverTwoSourcesAndEndpointsShowWhatIsInRotation() async throws {
        try etcd.register("users", "1", port: port("a"))
        let proxy = try await startNamerProxy(dtab: "/svc => /#/e & /#/fallback;")
        var seen: Set<String> = []
        for _ in 0..<40 {
            let body = try get(proxy, "users")
            for name in ["a", "fallback"] where body.contains("hello from \(name)") { seen.insert(name) }
        }
        XCTAssertEqual(seen, ["a", "fallback"], "requests spread over both sources")

        func rotation(_ namer: String, _ service: String) throws -> [String]? {
            let body = try admin(proxy, "/endpoints")
            let json = try JSONSerialization.jsonObject(with: Data(body[body.range(of: "\r\n\r\n")!.upperBound...].utf8)) as? [String: Any]
            let services = ((json?["namers"] as? [String: Any])?[namer] as? [String: Any])?["services"] as? [String: Any]
            return (services?[service] as? [String: Any])?["inRotation"] as? [String]
        }
        try await waitUntil("the loops' figures published") { try rotation("e", "users") != nil }
        XCTAssertEqual(try rotation("e", "users"), ["127.0.0.1:\(port("a"))"])
        XCTAssertEqual(try rotation("fallback", ""), ["127.0.0.1:\(port("fallback"))"])
    }

    func testAnEtcdRestartKeepsTheLastGoodSetAndTheWatchResumes() async throws {
        try etcd.register("users", "1", port: port("a"))
        let proxy = try await startNamerProxy()
        XCTAssertTrue(try get(proxy, "users").contains("hello from a"))

        etcd.kill()
        try await waitUntil("the namer marked stale") { try self.admin(proxy, "/endpoints").contains("\"state\" : \"stale\"") }
        XCTAssertTrue(try get(proxy, "users").contains("hello from a"), "served from the last good set while etcd is down")
        XCTAssertTrue(try admin(proxy, "/metrics").contains(#"switchyard_namer_stale{namer="e"} 1"#))

        try etcd.start()
        try etcd.register("users", "1", port: port("b"))
        try await waitUntil("the watch resumed") { try self.get(proxy, "users").contains("hello from b") }
        XCTAssertTrue(try admin(proxy, "/endpoints").contains("\"state\" : \"ok\""))
    }

    func testACompactedRevisionIsListedAgain() async throws {
        try etcd.register("users", "1", port: port("a"))
        let proxy = try await startNamerProxy()
        XCTAssertTrue(try get(proxy, "users").contains("hello from a"))

        // Out of the proxy's sight (another client port), the history it
        // would resume from is written over and compacted away.
        etcd.kill()
        let hidden = try freeLoopbackPort()
        try etcd.start(clientPort: hidden)
        try etcd.register("users", "1", port: port("b"), on: hidden)
        try etcd.register("orders", "1", port: port("b"), on: hidden)
        try etcd.compact(port: hidden)
        etcd.kill()
        try etcd.start()
        try await waitUntil("the relist after compaction") {
            try self.get(proxy, "users").contains("hello from b") && self.get(proxy, "orders").contains("hello from b")
        }
    }

    // MARK: Config

    func testRulesPushedToOneKeyReachTwoProxiesAndABadRevisionIsRejected() async throws {
        let url = "etcd://127.0.0.1:\(etcd.clientPort)/switchyard/config/edge"
        func rules(_ backend: String) throws -> String {
            let file = directory.appendingPathComponent("edge-\(backend).routes")
            try """
                listen 127.0.0.1:0
                admin 127.0.0.1:0
                namer s = static "127.0.0.1:\(port(backend))"
                identify host
                dtab { /svc => /#/s; }
                """.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
        let key = try XCTUnwrap(EtcdRuleKey(url: url))
        let first = try await RulePush.push(try rules("a"), to: key)
        guard case .written(let revision) = first.outcome else { return XCTFail("\(first.outcome)") }

        for _ in 0..<2 {
            let source = try XCTUnwrap(EtcdRuleKey(url: url))
            try await source.open()
            let runtime = try ProxyRuntime(source: source, threads: 1, logger: logger)
            try await runtime.start()
            runtimes.append(runtime)
            XCTAssertTrue(try get(runtime, "web").contains("hello from a"))
        }

        let second = try await RulePush.push(try rules("b"), to: key)
        guard case .written = second.outcome else { return XCTFail("\(second.outcome)") }
        for runtime in runtimes {
            try await waitUntil("the pushed rules applied") { try self.get(runtime, "web").contains("hello from b") }
        }

        // A push from a stale read is reported, not written.
        let stale = try await RulePush.push(try rules("a"), to: key, expectedRevision: revision)
        guard case .conflict(let expected, _) = stale.outcome else { return XCTFail("\(stale.outcome)") }
        XCTAssertEqual(expected, revision)

        // A file with errors is refused by push; written behind its back, both proxies reject it and keep serving.
        let broken = directory.appendingPathComponent("broken.routes")
        try "listen 127.0.0.1:0\ndtab { /svc => ; }\n".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try await RulePush.push(broken.path, to: key)
        XCTAssertEqual(refused.outcome, .refused)
        try etcd.put("/switchyard/config/edge", "listen 127.0.0.1:0\ndtab { /svc => ; }\n")
        for runtime in runtimes {
            try await waitUntil("the bad revision rejected") { try self.admin(runtime, "/config").contains("\"result\" : \"rejected\"") }
            let config = try admin(runtime, "/config")
            XCTAssertTrue(config.contains(url) && config.contains("etcd revision"), config)
            XCTAssertTrue(try get(runtime, "web").contains("hello from b"), "the last good rules keep serving")
        }
    }
}
