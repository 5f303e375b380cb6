import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - PrometheusScrapeTests

/// A real Prometheus (the Debian package, installed by scripts/test.sh)
/// scrapes the proxy's admin listener every second; after a known load its
/// query API must return the expected series with the expected values.
final class PrometheusScrapeTests: XCTestCase {
    var prometheus: Process?
    var directory: URL!
    var runtime: ProxyRuntime?
    var backends: [TestBackend] = []

    override func tearDown() async throws {
        await runtime?.stop(grace: .seconds(1))
        for backend in backends { await backend.close() }
        prometheus?.terminate()
        prometheus?.waitUntilExit()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testPrometheusScrapesTheExpectedSeriesAfterAKnownLoad() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") else {
            // Required, not optional: scripts/test.sh installs prometheus when it is missing.
            return XCTFail("prometheus is not installed: run ./scripts/test.sh, which installs it")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ok = try await TestBackend(name: "ok", group: MultiThreadedEventLoopGroup.singleton)
        backends = [ok]
        let rules = directory.appendingPathComponent("prom.routes")
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            namer fixed = static "127.0.0.1:\(ok.port)"
            namer gone = static "127.0.0.1:1"
            identify host
            dtab {
              /svc/web => /#/fixed;
              /svc/down => /#/gone;
            }
            route down {
              when host "down"
              to /svc/down
              retry on connect-error limit 2 backoff 1ms..2ms
            }
            """.write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        let runtime = try ProxyRuntime(path: rules.path, threads: 2, logger: logger)
        try await runtime.start()
        self.runtime = runtime
        let admin = runtime.adminAddress!.port!
        let proxy = runtime.listenerAddresses.withLockedValue { $0[0].port! }

        let web = try freeLoopbackPort()
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: switchyard
                static_configs:
                  - targets: ["127.0.0.1:\(admin)"]
            """.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = ["--config.file=\(directory.path)/prometheus.yml", "--storage.tsdb.path=\(directory.path)/data",
                             "--web.listen-address=127.0.0.1:\(web)", "--log.level=error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        prometheus = process

        // The known load: 30 answered by the backend, 5 whose endpoint refuses (3 attempts each, then 502).
        for _ in 0..<30 {
            XCTAssertTrue(try RawClient.exchange(port: proxy, "GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n").text.hasPrefix("HTTP/1.1 200"))
        }
        for _ in 0..<5 {
            XCTAssertTrue(try RawClient.exchange(port: proxy, "GET / HTTP/1.1\r\nHost: down\r\nConnection: close\r\n\r\n").text.hasPrefix("HTTP/1.1 502"))
        }

        func query(_ promql: String) throws -> Double? {
            var components = URLComponents()
            components.queryItems = [URLQueryItem(name: "query", value: promql)]
            let reply = try RawClient.exchange(port: web, "GET /api/v1/query?\(components.percentEncodedQuery!) HTTP/1.1\r\nHost: prom\r\nConnection: close\r\n\r\n")
            guard let start = reply.text.range(of: "\r\n\r\n")?.upperBound,
                  let json = try JSONSerialization.jsonObject(with: Data(reply.text[start...].utf8)) as? [String: Any],
                  let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]],
                  let value = (result.first?["value"] as? [Any])?.last as? String else { return nil }
            return Double(value)
        }
        let expected: [(String, Double)] = [
            (#"sum(switchyard_requests_total{route="default",name="/svc/web",dst="/#/fixed",status_class="2xx",classification="success"})"#, 30),
            (#"sum(switchyard_requests_total{route="down",name="/svc/down",status_class="5xx",classification="failure"})"#, 5),
            (#"sum(switchyard_request_duration_seconds_count{name="/svc/web"})"#, 30),
            (#"sum(switchyard_request_attempts_sum{route="down"})"#, 15),
            (#"sum(switchyard_retries_total{dst="/#/gone"})"#, 10),
            (#"sum(switchyard_attempts_total{dst="/#/fixed"})"#, 30),
            (#"sum(switchyard_connections_total)"#, 35),
            (#"switchyard_requests_in_flight"#, 0),
            (#"sum(switchyard_reloads_total)"#, 0),
            (#"count(switchyard_config_info)"#, 1),
            (#"switchyard_namer_endpoints{namer="fixed"}"#, 1),
        ]
        var last: [String: Double?] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            // Prometheus may not be listening yet.
            for (promql, _) in expected { last[promql] = (try? query(promql)).flatMap { $0 } }
            if expected.allSatisfy({ last[$0.0] == .some($0.1) }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        for (promql, value) in expected {
            XCTAssertEqual(last[promql] ?? nil, value, promql)
        }
        let sent = try query("sum(switchyard_sent_bytes_total)") ?? 0
        XCTAssertGreaterThan(sent, 35 * 50, "every response's bytes are counted")
    }
}
