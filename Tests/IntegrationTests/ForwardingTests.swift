import Foundation
import Proxy
import XCTest

// MARK: - ForwardingTests

/// The HTTP/1.1 data plane against real backends and real clients (curl and
/// a raw socket), on 127.0.0.1.
final class ForwardingTests: XCTestCase {
    var fixture: ProxyFixture!

    override func setUp() async throws {
        fixture = ProxyFixture()
        try await fixture.start(options: ProxyOptions(headerReadTimeout: .milliseconds(500)))
    }

    override func tearDown() async throws {
        await fixture.stop()
    }

    func testGetIsForwardedWithProxyHeaders() throws {
        let reply = try fixture.curl("/echo", host: "a", ["-H", "X-Forwarded-For: 10.1.1.1", "-H", "Via: 1.1 edge"])
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["x-backend"], "a")
        XCTAssertEqual(reply.headers["x-echo-l5d-dst-service"], "/svc/a")
        XCTAssertEqual(reply.headers["x-echo-l5d-dst-client"], "/#/disco/a")
        XCTAssertEqual(reply.headers["x-echo-x-forwarded-for"], "10.1.1.1, 127.0.0.1")
        XCTAssertEqual(reply.headers["x-echo-x-forwarded-proto"], "http")
        XCTAssertEqual(reply.headers["x-echo-via"], "1.1 edge, 1.1 switchyard")
        XCTAssertEqual(reply.headers["via"], "1.1 switchyard")
    }

    func testHopByHopFieldsAreStripped() throws {
        let reply = try fixture.curl("/echo", ["-H", "Connection: x-secret", "-H", "X-Secret: 1", "-H", "Keep-Alive: timeout=5",
                                              "-H", "TE: trailers", "-H", "Proxy-Authorization: Basic eA==", "-H", "l5d-dst-service: /evil"])
        XCTAssertEqual(reply.status, 200)
        for name in ["x-echo-x-secret", "x-echo-keep-alive", "x-echo-te", "x-echo-proxy-authorization"] {
            XCTAssertNil(reply.headers[name], name)
        }
        XCTAssertEqual(reply.headers["x-echo-l5d-dst-service"], "/svc/a", "clients cannot set l5d-dst-*")
    }

    func testBodiesBothFramings() throws {
        let fixed = try fixture.curl("/echo", ["--data-binary", "hello body"])
        XCTAssertEqual(fixed.body, "hello body")
        let chunked = try fixture.curl("/echo", ["-H", "Transfer-Encoding: chunked", "--data-binary", "chunked body"])
        XCTAssertEqual(chunked.body, "chunked body")
        let big = try fixture.curl("/big?bytes=3000000&chunked=1")
        XCTAssertEqual(big.body.utf8.count, 3_000_000)
        let upload = fixture.directory.appendingPathComponent("upload.bin")
        try Data(repeating: UInt8(ascii: "u"), count: 2_000_000).write(to: upload)
        let echoed = try fixture.curl("/echo", ["--data-binary", "@\(upload.path)"])
        XCTAssertEqual(echoed.status, 200)
        XCTAssertEqual(echoed.body.utf8.count, 2_000_000, "curl sends Expect: 100-continue for this size")
    }

    func testKeepAliveReusesClientAndBackendConnections() throws {
        let reply = try RawClient.exchange(port: fixture.port, """
            GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\nGET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n
            """)
        XCTAssertEqual(reply.text.components(separatedBy: "HTTP/1.1 200 OK").count - 1, 3, "pipelined requests answered in order")
        XCTAssertTrue(reply.closed)
        XCTAssertTrue(reply.text.contains("Connection: close"))
        XCTAssertEqual(fixture.backendA.requests, 3)
        XCTAssertEqual(fixture.backendA.connections, 1, "the backend connection is pooled and reused")
    }

    /// A pooled backend connection is reused within `pool-idle-timeout`
    /// and closed by the loop's sweeper after it (no timer per request).
    /// One client connection, so one event loop and one pool.
    func testIdleBackendConnectionsExpire() async throws {
        let pooled = ProxyFixture()
        try await pooled.start(options: ProxyOptions(poolIdleTimeout: .milliseconds(200)))
        let fd = try connectToLoopback(port: pooled.port, timeout: 2)
        func ask() -> String {
            let request = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: received, as: UTF8.self).contains("hello from a") {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { break }
                received += buffer[0..<count]
            }
            return String(decoding: received, as: UTF8.self)
        }
        for _ in 0..<3 { XCTAssertTrue(ask().hasPrefix("HTTP/1.1 200 OK")) }
        XCTAssertEqual(pooled.backendA.connections, 1, "reused while fresh")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertTrue(ask().hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertEqual(pooled.backendA.connections, 2, "the idle one was closed by the sweeper; a new one was made")
        close(fd)
        await pooled.stop()
    }

    func testRoutingFailuresAnswerWithL5dErr() throws {
        let unknown = try fixture.curl("/", host: "nope")
        XCTAssertEqual(unknown.status, 502)
        XCTAssertTrue(unknown.headers["l5d-err"]?.contains("/svc/nope binds to neg") ?? false, "\(unknown.headers)")
        let empty = try fixture.curl("/", host: "empty")
        XCTAssertEqual(empty.status, 503)
        let down = try fixture.curl("/", host: "down")
        XCTAssertEqual(down.status, 502)
        XCTAssertTrue(down.headers["l5d-err"]?.hasPrefix("connect to 127.0.0.1:1 refused (for /#/disco/down)") ?? false, "\(down.headers)")
        XCTAssertFalse(down.headers["l5d-err"]?.contains("NIO") ?? true, "words, not NIO's error dumps")
        let unnamed = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.0\r\n\r\n")
        XCTAssertTrue(unnamed.text.hasPrefix("HTTP/1.1 400 Bad Request"), unnamed.text)
    }

    func testDeadlineAnswers504() throws {
        let reply = try fixture.curl("/slow?ms=2000")
        XCTAssertEqual(reply.status, 504)
        XCTAssertTrue(reply.headers["l5d-err"]?.contains("deadline of 300ms exceeded") ?? false, "\(reply.headers)")
        XCTAssertEqual(try fixture.curl("/slow?ms=10").status, 200)
    }

    func testDtabOverrideOnlyWhereAllowed() throws {
        let allowed = try fixture.curl("/", host: "a", ["-H", "l5d-dtab: /svc/a => /#/disco/b"])
        XCTAssertEqual(allowed.headers["x-backend"], "b")
        let strict = try fixture.curl("/echo", host: "a", strict: true, ["-H", "l5d-dtab: /svc/a => /#/disco/b"])
        XCTAssertEqual(strict.headers["x-backend"], "a")
        XCTAssertNil(strict.headers["x-echo-l5d-dtab"], "the override is stripped where it is not allowed")
        let malformed = try fixture.curl("/", host: "a", ["-H", "l5d-dtab: /svc/a =>"])
        XCTAssertEqual(malformed.status, 400)
        XCTAssertTrue(malformed.headers["l5d-err"]?.hasPrefix("malformed l5d-dtab: column") ?? false)
    }

    /// Issue 7: this override once pinned an event loop at 100% CPU. Now it
    /// fails its own request with a 502 naming the loop, and every client
    /// (the same one included) is answered right after.
    func testLoopingOverrideFailsAloneAndTheProxyKeepsAnswering() throws {
        for _ in 0..<20 {
            let looping = try fixture.curl("/", host: "web", ["-H", "l5d-dtab: /svc => /x; /x => (/x & /x & /svc/ok)"])
            XCTAssertEqual(looping.status, 502)
            // The loop ends at the depth limit, or at the request path's 1 ms
            // (a debug build is slow enough): either way the loop is named.
            let message = looping.headers["l5d-err"] ?? ""
            XCTAssertTrue(message == "/svc/web: delegation loop: /x/web -> /x/web (more than 100 rewrites)"
                          || (message.hasPrefix("/svc/web: delegation exceeded its time budget of 1ms") && message.hasSuffix(": /x/web -> /x/web")),
                          message)
            let doubling = (0..<20).map { "/l\($0) => /l\($0 + 1)/0 & /l\($0 + 1)/1" }.joined(separator: "; ")
            let budget = try fixture.curl("/", host: "web", ["-H", "l5d-dtab: /svc => /l0; \(doubling)"])
            XCTAssertEqual(budget.status, 502)
            let error = budget.headers["l5d-err"] ?? ""
            XCTAssertTrue(error.contains("work budget of 10000 steps") || error.contains("time budget of 1ms"), error)
            XCTAssertEqual(try fixture.curl("/", host: "a").status, 200)
        }
    }

    func testSplitSendsTrafficToBothDestinations() throws {
        var seen: Set<String> = []
        for _ in 0..<40 { if let backend = try fixture.curl("/", host: "split").headers["x-backend"] { seen.insert(backend) } }
        XCTAssertEqual(seen, ["a", "b"])
    }

    func testHTTP10Client() throws {
        let reply = try RawClient.exchange(port: fixture.port, "GET /x HTTP/1.0\r\nHost: a\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 OK"), reply.text)
        XCTAssertTrue(reply.closed, "HTTP/1.0 without keep-alive closes")
    }

    func testSlowClientGets408() throws {
        let reply = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.1\r\nHost: a\r\n", timeout: 3)
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 408 Request Timeout"), reply.text)
        XCTAssertTrue(reply.closed)
    }
}
