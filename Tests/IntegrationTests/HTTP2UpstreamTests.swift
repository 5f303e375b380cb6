import Engine
import Foundation
import Proxy
import RouteLang
import XCTest

// MARK: - HTTP2UpstreamTests

/// `protocol h2` and `protocol auto`: the proxy speaking HTTP/2 to an
/// endpoint that speaks only HTTP/2, for HTTP/2 and HTTP/1.1 clients.
final class HTTP2UpstreamTests: XCTestCase {
    var fixture: ProxyFixture!
    var h2Backend: TestBackend!
    var unavailable: TestBackend!

    override func setUp() async throws {
        fixture = ProxyFixture()
        h2Backend = try await TestBackend(name: "h2", group: fixture.group, http2: true)
        unavailable = try await TestBackend(name: "unavailable", group: fixture.group, http2: true)
        try await fixture.start(extraRules: """
            route grpc {
              when host "grpc"
              to /svc/grpc
              protocol h2
              retry on unavailable limit 2 methods POST
              balance round-robin
            }
            route h2 {
              when host "h2"
              to /svc/h2
              protocol h2
            }
            route follow {
              when host "follow"
              to /svc/h2
              protocol auto
            }
            """, services: ["h2": h2Backend.port],
            files: ["grpc": "127.0.0.1 \(h2Backend.port)\n127.0.0.1 \(unavailable.port)\n"])
    }

    override func tearDown() async throws {
        // The backend runs on the fixture's loops: close it before they stop.
        await h2Backend.close()
        await unavailable.close()
        await fixture.stop()
    }

    func testHTTP2ClientsReachAnHTTP2Endpoint() throws {
        let reply = try fixture.curl("/echo", host: "h2", ["--http2-prior-knowledge", "-H", "X-Thing: 1", "--data-binary", "over h2"])
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["x-backend"], "h2")
        XCTAssertEqual(reply.headers["x-echo-x-thing"], "1")
        XCTAssertEqual(reply.headers["x-echo-l5d-dst-service"], "/svc/h2")
        XCTAssertEqual(reply.body, "over h2")
        let upload = fixture.directory.appendingPathComponent("upload.bin")
        try Data(repeating: UInt8(ascii: "u"), count: 1_500_000).write(to: upload)
        let echoed = try fixture.curl("/echo", host: "h2", ["--http2-prior-knowledge", "--data-binary", "@\(upload.path)"])
        XCTAssertEqual(echoed.body.utf8.count, 1_500_000)
        let big = try fixture.curl("/big?bytes=2000000", host: "h2", ["--http2-prior-knowledge"])
        XCTAssertEqual(big.body.utf8.count, 2_000_000)
    }

    func testHTTP1ClientsRideHTTP2ToTheEndpoint() throws {
        let reply = try fixture.curl("/echo", host: "h2", ["--data-binary", "from h1"])
        XCTAssertEqual(reply.version, "HTTP/1.1")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["x-backend"], "h2")
        XCTAssertEqual(reply.body, "from h1")
        let chunked = try fixture.curl("/echo", host: "h2", ["-H", "Transfer-Encoding: chunked", "--data-binary", "chunks"])
        XCTAssertEqual(chunked.body, "chunks")
    }

    func testHTTP1TrafficRidesHTTP2BetweenTwoProxies() async throws {
        // curl (HTTP/1.1) -> near proxy -> HTTP/2 -> the fixture's proxy -> HTTP/1.1 -> backend a.
        let rules = """
            listen 127.0.0.1:0
            namer far = static "127.0.0.1:\(fixture.port)"
            identify host
            dtab { /svc => /#/far; }
            defaults { protocol h2 }
            """
        let config = try XCTUnwrap(RuleFrontEnd.lint(SourceFile(name: "near.routes", text: rules)).config)
        let near = try ProxyServer(snapshot: RoutingSnapshot(config: config, namers: NamerKinds.table(for: config)), group: fixture.group)
        let bound = try await near.start(listeners: config.listeners)
        let port = try XCTUnwrap(bound.first?.port)
        let url = "http://127.0.0.1:\(port)/echo"
        let reply = try ExternalTool.text(["curl", "-sS", "--max-time", "10", "-D", "-", "-H", "Host: a", "--data-binary", "across", url])
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        XCTAssertTrue(reply.contains("x-backend: a"), reply)
        XCTAssertTrue(reply.contains("x-echo-via: 1.1 switchyard, 1.1 switchyard"), "both proxies on the way: \(reply)")
        XCTAssertTrue(reply.hasSuffix("across"), reply)
        let chunked = try ExternalTool.text(["curl", "-sS", "--max-time", "10", "-H", "Host: a", "-H", "Transfer-Encoding: chunked",
                                             "--data-binary", "in chunks", url])
        XCTAssertEqual(chunked, "in chunks")
        XCTAssertEqual(fixture.backendA.requests, 2)
        await near.shutdown(grace: .milliseconds(100))
    }

    func testAutoFollowsTheClient() throws {
        let h2 = try fixture.curl("/", host: "follow", ["--http2-prior-knowledge"])
        XCTAssertEqual(h2.status, 200, "an HTTP/2 client's request goes on over HTTP/2")
        XCTAssertEqual(h2.headers["x-backend"], "h2")
        let h1 = try fixture.curl("/", host: "follow")
        XCTAssertEqual(h1.status, 502, "an HTTP/1.1 client's request goes on over HTTP/1.1, which this endpoint refuses")
    }

    func testTrailersPassThroughBothHops() throws {
        let text = try run(["nghttp", "-v", "-H", ":authority: h2", "http://\(fixture.ips[0]):\(fixture.port)/trailers"])
        // The last HEADERS frame carries the trailers and ends the stream.
        let frames = text.components(separatedBy: "recv HEADERS frame")
        XCTAssertEqual(frames.count, 3, text)
        XCTAssertTrue(frames[1].contains("x-trailer: done") || text.contains("x-trailer: done"), text)
        XCTAssertTrue(text.contains("grpc-status: 0"), text)
        XCTAssertTrue(frames[2].contains("END_STREAM"), text)
        XCTAssertTrue(text.contains("with trailers"), text)
    }

    func testGRPCUnavailableIsRetriedOnAnotherEndpoint() throws {
        for _ in 0..<12 {
            let reply = try fixture.curl("/grpc", host: "grpc", ["--http2-prior-knowledge", "-H", "Content-Type: application/grpc",
                                                                "--data-binary", "request"])
            XCTAssertEqual(reply.status, 200)
            XCTAssertEqual(reply.headers["x-backend"], "h2", "an UNAVAILABLE answer is retried on the other endpoint")
            // curl writes the trailers after the body: grpc-status 0 came through both hops.
            XCTAssertTrue(reply.body.hasPrefix("message"), reply.body)
            XCTAssertTrue(reply.body.contains("grpc-status: 0"), reply.body)
            XCTAssertNil(reply.headers["grpc-message"])
        }
        XCTAssertGreaterThan(unavailable.requests, 0, "taking turns, the balancer tried the endpoint that answers UNAVAILABLE")
    }

    func testStreamsShareOneConnectionPerLoop() throws {
        let text = try run(["h2load", "-T", "20", "-n", "200", "-c", "4", "-m", "10", "-H", ":authority: h2",
                            "http://\(fixture.ips[0]):\(fixture.port)/"])
        XCTAssertTrue(text.contains("200 succeeded, 0 failed, 0 errored"), text)
        XCTAssertEqual(h2Backend.requests, 200)
        XCTAssertLessThanOrEqual(h2Backend.connections, 2, "one multiplexed connection per event loop")
    }

    func run(_ arguments: [String]) throws -> String {
        try ExternalTool.text(arguments)
    }
}
