import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - FleetChangeTests

/// Balancing and splits while the fleet changes, through a whole runtime
/// on a rule file with real backends on 127.0.0.1: an endpoint added to a
/// service file takes its share under every balancer, a split arm whose
/// only endpoint is down sheds its share (and comes back on its own), and
/// `/endpoints` and the gauges show what is in rotation now.
final class FleetChangeTests: XCTestCase {
    var backends: [TestBackend] = []
    var directory: URL!
    var rules: URL!
    var runtime: ProxyRuntime!

    override func setUp() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        rules = directory.appendingPathComponent("rules.routes")
    }

    override func tearDown() async throws {
        await runtime?.stop(grace: .seconds(1))
        for backend in backends { await backend.close() }
        try? FileManager.default.removeItem(at: directory)
    }

    func backend(_ name: String, delay: Int64 = 0, port: Int = 0) async throws -> TestBackend {
        let made = try await TestBackend(name: name, group: MultiThreadedEventLoopGroup.singleton, delay: delay, port: port)
        backends.append(made)
        return made
    }

    /// A port nothing listens on (a backend that was there and left).
    func closedPort() async throws -> Int {
        let gone = try await TestBackend(name: "gone", group: MultiThreadedEventLoopGroup.singleton)
        let port = gone.port
        await gone.close()
        return port
    }

    func service(_ name: String, _ ports: [Int]) throws {
        try ports.map { "127.0.0.1 \($0)\n" }.joined().write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func start(_ body: String) async throws {
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            namer disco = files "\(directory.path)"
            identify host
            dtab { /svc => /#/disco; }
            \(body)
            """.write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        runtime = try ProxyRuntime(path: rules.path, threads: 2, logger: logger)
        try await runtime.start()
    }

    var port: Int { runtime.listenerAddresses.withLockedValue { $0[0].port! } }

    /// `count` sequential requests to `host`; how many each backend answered, and the failures.
    func send(_ count: Int, host: String) throws -> (answers: [String: Int], failures: Int) {
        var answers: [String: Int] = [:]
        var failures = 0
        for _ in 0..<count {
            let reply = try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n", timeout: 5)
            guard reply.text.hasPrefix("HTTP/1.1 200 "), let range = reply.text.range(of: "x-backend: ") else {
                failures += 1
                continue
            }
            let name = reply.text[range.upperBound...].prefix { !$0.isNewline }
            answers[String(name), default: 0] += 1
        }
        return (answers, failures)
    }

    func admin(_ path: String) throws -> String {
        let reply = try RawClient.exchange(port: runtime.adminAddress!.port!, "GET \(path) HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n")
        return String(reply.text.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
    }

    // MARK: Scale-out

    /// One endpoint serves 20 requests; a second is appended to the file;
    /// of the next 40 the new one takes its share, in the bands
    /// docs/routelang.md states: exactly half under round-robin, at least
    /// a quarter under least-loaded (random ties), at least a tenth under
    /// peak-EWMA (it competes on latency once measured; 40 runs gave 5 to 38).
    func scaleOut(_ balance: String) async throws -> Int {
        let first = try await backend("first")
        let second = try await backend("second")
        try service("web", [first.port])
        try await start("route web {\n  when host \"web\"\n  to /svc/web\n  balance \(balance)\n}\n")
        XCTAssertEqual(try send(20, host: "web").answers, ["first": 20])
        try service("web", [first.port, second.port])
        runtime.config.checkForChanges()
        let after = try send(40, host: "web")
        XCTAssertEqual(after.failures, 0)
        print("scale-out under \(balance): \(after.answers) of 40")
        return after.answers["second", default: 0]
    }

    func testScaleOutUnderPeakEWMA() async throws {
        let taken = try await scaleOut("peak-ewma")
        XCTAssertGreaterThanOrEqual(taken, 4)
    }

    func testScaleOutUnderLeastLoaded() async throws {
        let taken = try await scaleOut("least-loaded")
        XCTAssertGreaterThanOrEqual(taken, 10)
    }

    func testScaleOutUnderRoundRobin() async throws {
        let taken = try await scaleOut("round-robin")
        XCTAssertEqual(taken, 20)
    }

    /// Two endpoints that both start unmeasured both get traffic under
    /// peak-EWMA (the issue saw 40 of 40 go to the first one measured).
    func testTwoUnmeasuredEndpointsShareUnderPeakEWMA() async throws {
        let first = try await backend("first")
        let second = try await backend("second")
        try service("web", [first.port, second.port])
        try await start("route web {\n  when host \"web\"\n  to /svc/web\n}\n")
        let result = try send(40, host: "web")
        print("two unmeasured endpoints: \(result.answers)")
        XCTAssertGreaterThanOrEqual(result.answers["first", default: 0], 4, "\(result.answers)")
        XCTAssertGreaterThanOrEqual(result.answers["second", default: 0], 4, "\(result.answers)")
    }

    /// A new endpoint that turns out slow is tried, measured, then avoided:
    /// on each of the two event loops, its connection's first answer (a
    /// cold one, priced like none) and one warm answer, four at most.
    func testASlowNewEndpointIsAvoidedOnceMeasured() async throws {
        let first = try await backend("first")
        let slow = try await backend("slow", delay: 100)
        try service("web", [first.port])
        try await start("route web {\n  when host \"web\"\n  to /svc/web\n}\n")
        _ = try send(20, host: "web")
        try service("web", [first.port, slow.port])
        runtime.config.checkForChanges()
        let after = try send(40, host: "web")
        XCTAssertLessThanOrEqual(after.answers["slow", default: 0], 4, "\(after.answers)")
    }

    // MARK: A dead split arm

    /// `split /svc/shop { 80% shop-a  20% shop-b }` with shop-b's only
    /// endpoint refusing connections, under the built-in policies: at least
    /// 99% of 300 requests are answered; `/endpoints`, the gauge and
    /// `explain` say the arm is shed.
    func testADeadSplitArmShedsItsShare() async throws {
        let live = try await backend("shop-a")
        try service("shop-a", [live.port])
        try service("shop-b", [try await closedPort()])
        try await start("split /svc/shop {\n  80% /#/disco/shop-a\n  20% /#/disco/shop-b\n}\n")
        let result = try send(300, host: "shop")
        print("dead arm: \(300 - result.failures) of 300 answered")
        XCTAssertGreaterThanOrEqual(300 - result.failures, 297, "\(result)")
        let endpoints = try admin("/endpoints")
        XCTAssertTrue(endpoints.contains("\"/#/disco/shop-b\" : \"shed for"), endpoints)
        XCTAssertTrue(endpoints.contains("\"/#/disco/shop-a\" : \"serving\""), endpoints)
        let metrics = try admin("/metrics")
        XCTAssertTrue(metrics.contains("switchyard_destination_shed{dst=\"/#/disco/shop-b\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_destination_sheds_total{dst=\"/#/disco/shop-b\"} 1"), metrics)
        let explain = try admin("/explain?url=http://shop/&format=text")
        XCTAssertTrue(explain.contains("/#/disco/shop-b -> 127.0.0.1:"), explain)
        XCTAssertTrue(explain.contains("(shed: every endpoint is failing"), explain)
    }

    /// The shed arm is probed one request at a time; once its endpoint is
    /// back, a probe succeeds and the arm takes its share back on its own.
    func testAShedArmComesBackOnItsOwn() async throws {
        let live = try await backend("shop-a")
        let deadPort = try await closedPort()
        try service("shop-a", [live.port])
        try service("shop-b", [deadPort])
        try await start("""
            defaults {
              accrual consecutive 3 backoff 200ms..400ms
            }
            split /svc/shop {
              50% /#/disco/shop-a
              50% /#/disco/shop-b
            }
            """)
        let down = try send(40, host: "shop")
        XCTAssertEqual(down.failures, 0, "refusals are retried on the other arm")
        XCTAssertEqual(down.answers, ["shop-a": 40])
        _ = try await backend("shop-b", port: deadPort)
        var back = 0
        let deadline = Date().addingTimeInterval(5)
        while back == 0, Date() < deadline {
            back = try send(10, host: "shop").answers["shop-b", default: 0]
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertGreaterThan(back, 0, "a probe found shop-b answering")
        let shared = try send(100, host: "shop")
        XCTAssertGreaterThan(shared.answers["shop-b", default: 0], 25, "the arm has its share back: \(shared.answers)")
        XCTAssertTrue(try admin("/metrics").contains("switchyard_destination_restorations_total{dst=\"/#/disco/shop-b\"} 1"))
    }

    // MARK: What is in rotation

    /// After discovery removes an endpoint, `/endpoints` and the balancer
    /// gauge show only the remaining one, on every loop, at once.
    func testEndpointsAndGaugesShowTheRotationNow() async throws {
        let first = try await backend("first")
        let second = try await backend("second")
        try service("pool", [first.port, second.port])
        try await start("route pool {\n  when host \"pool\"\n  to /svc/pool\n  balance round-robin\n}\n")
        XCTAssertEqual(try send(20, host: "pool").answers, ["first": 10, "second": 10])
        try await Task.sleep(for: .milliseconds(1_100))
        XCTAssertTrue(try admin("/metrics").contains("switchyard_balancer_endpoints{dst=\"/#/disco/pool\"} 2"))
        try service("pool", [first.port])
        runtime.config.checkForChanges()
        let endpoints = try admin("/endpoints")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(endpoints.utf8)) as? [String: Any])
        let services = ((object["namers"] as? [String: Any])?["disco"] as? [String: Any])?["services"] as? [String: Any]
        XCTAssertEqual((services?["pool"] as? [String: Any])?["inRotation"] as? [String], ["127.0.0.1:\(first.port)"], endpoints)
        let pool = (object["destinations"] as? [String: Any])?["/#/disco/pool"] as? [String: Any]
        XCTAssertEqual(pool.map { Set($0.keys) }, ["127.0.0.1:\(first.port)"], endpoints)
        XCTAssertTrue(try admin("/metrics").contains("switchyard_balancer_endpoints{dst=\"/#/disco/pool\"} 1"))
        XCTAssertEqual(try send(10, host: "pool").answers, ["first": 10])
    }
}
