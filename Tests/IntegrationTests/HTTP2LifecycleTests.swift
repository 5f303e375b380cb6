import Foundation
import Proxy
import XCTest

// MARK: - HTTP2LifecycleTests

/// How HTTP/2 connections end, both ways: a drain says GOAWAY and lets the
/// streams under way finish; an unused connection is closed after its idle
/// time; a peer that stops answering PINGs while a stream waits on it is
/// dropped. Clients are raw frames (Scripts/h2_frames.py); the endpoint is
/// Scripts/h2_server.py, which can play dead.
final class HTTP2LifecycleTests: XCTestCase {
    var fixture: ProxyFixture!
    var server: Process?
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")
    /// RFC 9113's NO_ERROR: a GOAWAY that is a goodbye, not a complaint.
    static let noError = 0

    override func tearDown() async throws {
        await fixture?.stop()
        if let server { ExternalTool.stop(server) }
    }

    /// A proxy whose `limits` block is `limits`, and an h2-only endpoint
    /// under `/svc/h2server` (`Host: h2server`, `protocol h2`).
    func start(limits: String = "") async throws {
        let (process, ports) = try ExternalTool.server(["python3", Self.scripts.appendingPathComponent("h2_server.py").path])
        server = process
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            route h2server {
              when host "h2server"
              to /svc/h2server
              protocol h2
              timeout 10s
            }
            limits {
            \(limits)
            }
            """, services: ["h2server": try XCTUnwrap(ports["port"])])
    }

    // MARK: Clients

    func testADrainSaysGoAwayAndLetsTheStreamUnderWayFinish() async throws {
        try await start()
        let client = try Self.frames("slow", port: fixture.port, seconds: 5)
        // The peer starts, connects and waits 200 ms before its request: stop once it is under way.
        try await Task.sleep(for: .milliseconds(900))
        let clock = ContinuousClock()
        let started = clock.now
        await fixture.server.shutdown(grace: .seconds(5))
        let stopped = clock.now - started
        let result = try client.result()
        XCTAssertEqual(result["goaway"] as? Int, Self.noError, "\(result)")
        XCTAssertEqual(result["statuses"] as? [String: Int], ["1": 200], "the 1.5 s request under way was answered: \(result)")
        XCTAssertEqual(result["closed"] as? Bool, true)
        XCTAssertLessThan(stopped, .seconds(4), "the drain ended when the stream did, not at the 5 s grace")
    }

    func testAnUnusedClientConnectionIsClosedWithGoAway() async throws {
        try await start(limits: "h2-idle-timeout 500ms")
        let result = try Self.frames("idle", port: fixture.port, seconds: 3).result()
        XCTAssertEqual(result["statuses"] as? [String: Int], ["1": 200], "\(result)")
        XCTAssertEqual(result["goaway"] as? Int, Self.noError, "\(result)")
        XCTAssertEqual(result["closed"] as? Bool, true, "\(result)")
        XCTAssertLessThan(result["closed_after"] as? Double ?? 99, 2.5, "\(result)")
        // Tallies reach the shared series on the loop's next sweep (100 ms).
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(metric("switchyard_http2_connections_total{listener=\"127.0.0.1:0\"}"), 1)
        XCTAssertEqual(metric("switchyard_http2_streams_total{listener=\"127.0.0.1:0\"}"), 1)
    }

    func testAClientThatStopsAnsweringPingsIsDropped() async throws {
        try await start(limits: "h2-keepalive 300ms")
        let result = try Self.frames("silent", port: fixture.port, seconds: 4).result()
        XCTAssertGreaterThanOrEqual(result["pings"] as? Int ?? 0, 1, "the proxy asked: \(result)")
        XCTAssertEqual(result["closed"] as? Bool, true, "\(result)")
        XCTAssertLessThan(result["closed_after"] as? Double ?? 99, 2.5, "long before the backend's 5 s answer: \(result)")
        XCTAssertEqual(result["statuses"] as? [String: Int], [:])
        try assertServing()
        XCTAssertEqual(metric(#"switchyard_http2_closed_total{peer="client",reason="unresponsive"}"#), 1)
    }

    // MARK: Endpoints

    // Each curl below sends its requests over one client connection, so
    // one event loop, and so one endpoint connection while it lasts.

    func testAnUnusedEndpointConnectionIsClosedAndTheNextRequestOpensAnother() async throws {
        try await start(limits: "pool-idle-timeout 300ms")
        XCTAssertEqual(try requests(["/", "/"]), "conn 1 200\nconn 1 200\n", "one connection while in use")
        try await Task.sleep(for: .milliseconds(1000))
        XCTAssertEqual(try requests(["/"]), "conn 2 200\n", "the idle one was closed")
        XCTAssertGreaterThanOrEqual(metric(#"switchyard_http2_closed_total{peer="endpoint",reason="idle"}"#) ?? 0, 1)
    }

    /// An endpoint's GOAWAY below a stream's id says it did not process
    /// that request (RFC 9113 section 6.8): it goes again on a new
    /// connection, whatever its method, like a failed connect.
    func testAStreamAnEndpointRefusesWithGoAwayGoesAgainOnANewConnection() async throws {
        try await start()
        XCTAssertEqual(try requests(["/", "/goaway", "/"]), "conn 1 200\nconn 2 200\nconn 2 200\n")
        let retries = fixture.server.metrics.exposition().split(separator: "\n").filter { $0.hasPrefix("switchyard_retries_total{") }
        XCTAssertEqual(retries.compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +), 1, "\(retries)")
    }

    func testAnEndpointThatStopsAnsweringPingsIsLeftAndItsStreamFails() async throws {
        try await start(limits: "h2-keepalive 300ms")
        let clock = ContinuousClock()
        let started = clock.now
        let text = try requests(["/", "/hang", "/"])
        XCTAssertLessThan(clock.now - started, .seconds(3), "dropped after an unanswered PING, not at the 10 s deadline")
        XCTAssertTrue(text.hasPrefix("conn 1 200\n"), text)
        XCTAssertTrue(text.contains("closed the connection before responding\n 502\n"), "the stream on the dead connection failed: \(text)")
        XCTAssertTrue(text.hasSuffix("\nconn 2 200\n"), "the next request opens a new connection: \(text)")
        XCTAssertEqual(metric(#"switchyard_http2_closed_total{peer="endpoint",reason="unresponsive"}"#), 1)
    }

    // MARK: Helpers

    /// An h2_frames.py case running in the background.
    struct Frames {
        let running: ExternalTool.Running

        func result() throws -> [String: Any] {
            let data = running.output()
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        }
    }

    static func frames(_ scenario: String, port: Int, seconds: Double) throws -> Frames {
        Frames(running: try ExternalTool.launch(["timeout", "30", "python3", scripts.appendingPathComponent("h2_frames.py").path,
                                                 scenario, String(port), String(seconds)]))
    }

    /// A series' value in the proxy's metrics; nil when it is not there.
    func metric(_ series: String) -> Double? {
        let line = fixture.server.metrics.exposition().split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    /// Requests to h2server over one HTTP/1.1 connection: each body and status on a line.
    func requests(_ paths: [String]) throws -> String {
        var arguments = ["curl", "-sS", "--max-time", "10", "-H", "Host: h2server"]
        for path in paths { arguments += ["-w", " %{http_code}\\n", "http://127.0.0.1:\(fixture.port)\(path)"] }
        return try ExternalTool.text(arguments)
    }

    func assertServing(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try fixture.curl("/", ["--http2-prior-knowledge"]).status, 200, "other clients are served", file: file, line: line)
    }
}
