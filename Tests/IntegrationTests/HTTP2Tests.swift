import Foundation
import Proxy
import XCTest

// MARK: - HTTP2Tests

/// h2c with prior knowledge on the same listener port as HTTP/1.1, with
/// real clients (curl, h2load) through the proxy to real HTTP/1.1 backends.
final class HTTP2Tests: XCTestCase {
    var fixture: ProxyFixture!

    override func setUp() async throws {
        fixture = ProxyFixture()
        try await fixture.start(options: ProxyOptions(headerReadTimeout: .milliseconds(500)))
    }

    override func tearDown() async throws {
        await fixture.stop()
    }

    func testCurlWithPriorKnowledgeIsRoutedLikeHTTP1() throws {
        let reply = try fixture.curl("/echo", host: "a", ["--http2-prior-knowledge", "-H", "X-Thing: 1", "-H", "Cookie: a=1",
                                                         "-H", "Cookie: b=2"])
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.version, "HTTP/2")
        XCTAssertEqual(reply.headers["x-backend"], "a")
        XCTAssertEqual(reply.headers["x-echo-l5d-dst-service"], "/svc/a")
        XCTAssertEqual(reply.headers["x-echo-x-thing"], "1")
        XCTAssertEqual(reply.headers["x-echo-host"], "a", ":authority becomes Host")
        XCTAssertNil(reply.headers["connection"], "no connection-specific field reaches an HTTP/2 client")
        XCTAssertNil(reply.headers["x-echo-connection"], "the bridge's own Connection field is not forwarded")
        let plain = try fixture.curl("/echo", host: "a")
        XCTAssertEqual(plain.version, "HTTP/1.1", "the same port still speaks HTTP/1.1")
        XCTAssertEqual(plain.status, 200)
    }

    func testBodiesBothWaysWithFlowControl() throws {
        let small = try fixture.curl("/echo", ["--http2-prior-knowledge", "--data-binary", "hello h2"])
        XCTAssertEqual(small.body, "hello h2")
        let upload = fixture.directory.appendingPathComponent("upload.bin")
        try Data(repeating: UInt8(ascii: "u"), count: 2_000_000).write(to: upload)
        let echoed = try fixture.curl("/echo", ["--http2-prior-knowledge", "--data-binary", "@\(upload.path)"])
        XCTAssertEqual(echoed.status, 200)
        XCTAssertEqual(echoed.body.utf8.count, 2_000_000, "far more than one 64 KiB stream window")
        // Without a content-length the body reaches HTTP/1.1 chunked.
        let streamed = try fixture.curl("/echo", ["--http2-prior-knowledge", "-T", "-"], stdin: "piped body")
        XCTAssertEqual(streamed.body, "piped body")
        let big = try fixture.curl("/big?bytes=3000000&chunked=1", ["--http2-prior-knowledge"])
        XCTAssertEqual(big.body.utf8.count, 3_000_000)
        let head = try fixture.curl("/big?bytes=5000", ["--http2-prior-knowledge", "-I"])
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], "5000")
        XCTAssertFalse(head.body.contains("xxxx"), "a HEAD answer has no DATA")
    }

    func testErrorsOfTheProxyReachHTTP2Clients() throws {
        let unknown = try fixture.curl("/", host: "nope", ["--http2-prior-knowledge"])
        XCTAssertEqual(unknown.status, 502)
        XCTAssertNotNil(unknown.headers["l5d-err"])
        let down = try fixture.curl("/", host: "down", ["--http2-prior-knowledge"])
        XCTAssertEqual(down.status, 502)
        let slow = try fixture.curl("/slow?ms=2000", ["--http2-prior-knowledge"])
        XCTAssertEqual(slow.status, 504, "the route's 300 ms deadline applies to HTTP/2 requests too")
    }

    func testManyStreamsOnOneConnection() throws {
        // 40 requests at once on one connection (h2load -c1 -m40).
        let text = try h2load(["-n", "40", "-c", "1", "-m", "40", "-H", ":authority: b"], path: "/n")
        XCTAssertTrue(text.contains("40 succeeded, 0 failed, 0 errored"), text)
        XCTAssertEqual(fixture.backendB.requests, 40)
    }

    func testH2LoadThroughTheProxy() throws {
        let text = try h2load(["-n", "400", "-c", "4", "-m", "10", "-H", ":authority: a"], path: "/")
        XCTAssertTrue(text.contains("400 succeeded, 0 failed, 0 errored"), text)
        XCTAssertTrue(text.contains("status codes: 400 2xx"), text)
        XCTAssertEqual(fixture.backendA.requests, 400)
    }

    /// 100 streams at a time on one connection, in bursts: the backend
    /// connections they free stay pooled for the next streams instead of
    /// being closed and opened again. Each run is a new client connection,
    /// on either of the proxy's two loops, each with its own pool.
    func testBackendConnectionsFreedByABurstOfStreamsAreReused() throws {
        let before = fixture.backendA.connections
        for _ in 0..<4 {
            let text = try h2load(["-n", "500", "-c", "1", "-m", "100", "-H", ":authority: a"], path: "/")
            XCTAssertTrue(text.contains("500 succeeded, 0 failed, 0 errored"), text)
        }
        let opened = fixture.backendA.connections - before
        XCTAssertLessThanOrEqual(opened, 2 * 100, "at most one backend connection per stream in flight and loop (\(opened) were opened)")
    }

    /// Runs h2load (Debian's nghttp2-client) against the proxy; returns what it printed.
    func h2load(_ arguments: [String], path: String) throws -> String {
        try ExternalTool.text(["h2load", "-T", "20"] + arguments + ["http://\(fixture.ips[0]):\(fixture.port)\(path)"])
    }
}
