import Foundation
import NIOPosix
import Proxy
import XCTest

// MARK: - HardeningTests

/// Edge hardening with raw sockets against a recording backend: each case
/// asserts the answer the client got and what the backend did or did not
/// receive.
final class HardeningTests: XCTestCase {
    var fixture: ProxyFixture!
    var recorder: RecordingBackend!
    static let webSocket = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

    override func setUp() async throws {
        recorder = try await RecordingBackend(group: MultiThreadedEventLoopGroup.singleton)
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            route no-upgrades {
              when path prefix "/noup"
              to /svc/rec
              upgrade none
            }
            limits {
              max-body-size 1KiB
              body-idle-timeout 500ms
            }
            """, services: ["rec": recorder.port])
    }

    override func tearDown() async throws {
        await fixture.stop()
        await recorder.close()
    }

    func send(_ request: String, timeout: Double = 2) throws -> RawClient.Reply {
        try RawClient.exchange(port: fixture.port, request, timeout: timeout)
    }

    // MARK: Bodies

    func testStalledBodyGets408AndItsBackendConnectionIsClosed() throws {
        let reply = try send("POST /upload HTTP/1.1\r\nHost: rec\r\nContent-Length: 10\r\n\r\nabc", timeout: 4)
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 408 "), reply.text)
        XCTAssertTrue(reply.text.contains("l5d-err: request body stalled"), reply.text)
        XCTAssertTrue(reply.closed)
        try waitUntil { self.recorder.connections.first?.closed == true }
        XCTAssertEqual(recorder.connections.count, 1)
        XCTAssertTrue(recorder.connections[0].text.hasSuffix("\r\n\r\nabc"), "the backend got the head and the partial body")
        XCTAssertEqual(recorder.completeRequests, 0, "the backend never saw a complete request")

        let next = try send("GET /after HTTP/1.1\r\nHost: rec\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(next.text.hasPrefix("HTTP/1.1 200 "), next.text)
        XCTAssertEqual(recorder.connections.count, 2, "the stalled connection was not reused from the pool")
    }

    func testDeclaredBodyOverTheLimitGets413BeforeAnyBackendIsContacted() throws {
        let reply = try send("POST /upload HTTP/1.1\r\nHost: rec\r\nContent-Length: 2000\r\n\r\n" + String(repeating: "x", count: 2000))
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 413 "), reply.text)
        XCTAssertTrue(reply.closed)
        XCTAssertEqual(recorder.connections.count, 0)

        let fits = try send("POST /upload HTTP/1.1\r\nHost: rec\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n" + String(repeating: "x", count: 1000))
        XCTAssertTrue(fits.text.hasPrefix("HTTP/1.1 200 "), fits.text)
    }

    func testChunkedBodyGrowingPastTheLimitIsCutOff() throws {
        let chunk = "258\r\n" + String(repeating: "y", count: 600) + "\r\n"
        let reply = try send("POST /upload HTTP/1.1\r\nHost: rec\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 413 "), reply.text)
        XCTAssertTrue(reply.closed)
        try waitUntil { self.recorder.connections.allSatisfy(\.closed) }
        XCTAssertEqual(recorder.completeRequests, 0, "the backend never saw the body complete")
        XCTAssertFalse(recorder.text.contains("0\r\n\r\n"), "the last chunk was never forwarded")
    }

    // MARK: Fields and targets

    func testRefusedRequestsNeverReachTheBackend() throws {
        let cases: [(String, String, Int)] = [
            ("Content_Length", "POST /x HTTP/1.1\r\nHost: rec\r\nContent_Length: 5\r\n\r\nhello", 400),
            ("Transfer_Encoding", "POST /x HTTP/1.1\r\nHost: rec\r\nTransfer_Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("fragment", "GET /a#b HTTP/1.1\r\nHost: rec\r\n\r\n", 400),
            ("asterisk for GET", "GET * HTTP/1.1\r\nHost: rec\r\n\r\n", 400),
            ("bad absolute port", "GET http://rec:99999/ HTTP/1.1\r\nHost: rec\r\n\r\n", 400),
            ("userinfo", "GET http://user@rec/ HTTP/1.1\r\nHost: rec\r\n\r\n", 400),
            ("empty authority", "GET http:///x HTTP/1.1\r\nHost: rec\r\n\r\n", 400),
            ("invalid Host", "GET / HTTP/1.1\r\nHost: re c\r\n\r\n", 400),
            ("empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400),
            ("Host port out of range", "GET / HTTP/1.1\r\nHost: rec:70000\r\n\r\n", 400),
            ("unknown expectation", "PUT /x HTTP/1.1\r\nHost: rec\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417),
            ("CONNECT", "CONNECT rec:443 HTTP/1.1\r\nHost: rec:443\r\n\r\n", 501),
            ("WebSocket without a key", "GET /ws HTTP/1.1\r\nHost: rec\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n", 400),
            ("WebSocket over POST", "POST /ws HTTP/1.1\r\nHost: rec\r\n\(Self.webSocket)Content-Length: 0\r\n\r\n", 400),
        ]
        for (name, request, status) in cases {
            let reply = try send(request)
            XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 \(status) "), "\(name): \(reply.text)")
            XCTAssertTrue(reply.text.contains("l5d-err: "), name)
            XCTAssertTrue(reply.closed, "\(name): the connection must be closed")
        }
        XCTAssertEqual(recorder.connections.count, 0, "no refused request reached the backend")
    }

    func testUnderscoreNamesThatAreNotFramingPass() throws {
        let reply = try send("GET /x HTTP/1.1\r\nHost: rec\r\nX_Request_Id: 42\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
        XCTAssertTrue(recorder.text.contains("\r\nX_Request_Id: 42\r\n"), recorder.text)
    }

    /// RFC 9112 section 3.2.2: the target's authority routes the request
    /// and replaces Host, so the two never reach the backend disagreeing.
    func testAbsoluteFormWinsOverHost() throws {
        let reply = try send("GET http://rec/path?q=1 HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
        let seen = recorder.text
        XCTAssertTrue(seen.hasPrefix("GET /path?q=1 HTTP/1.1\r\n"), seen)
        XCTAssertTrue(seen.contains("\r\nHost: rec\r\n"), seen)
        XCTAssertFalse(seen.contains("other.example"), seen)
        XCTAssertTrue(seen.contains("l5d-dst-service: /svc/rec"), seen)
    }

    func testAsteriskFormForOptionsIsForwarded() throws {
        let reply = try send("OPTIONS * HTTP/1.1\r\nHost: rec\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
        XCTAssertTrue(recorder.text.hasPrefix("OPTIONS * HTTP/1.1\r\n"), recorder.text)
    }

    // MARK: Upgrades

    func testWebSocketUpgradePassesByDefault() throws {
        let reply = try send("GET /ws HTTP/1.1\r\nHost: rec\r\n\(Self.webSocket)\r\nping")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 101 "), reply.text)
        XCTAssertTrue(reply.text.hasSuffix("ping"), "the tunnel echoes: \(reply.text)")
        XCTAssertTrue(recorder.text.contains("\r\nUpgrade: websocket\r\n"), recorder.text)
        XCTAssertTrue(recorder.text.contains("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), recorder.text)
    }

    func testUpgradeTheRouteDoesNotAllowGoesOnAsPlainHTTP() throws {
        let reply = try send("GET /noup HTTP/1.1\r\nHost: rec\r\n\(Self.webSocket)\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
        XCTAssertFalse(recorder.text.lowercased().contains("upgrade"), recorder.text)
    }

    func testH2CUpgradeAndHTTP2SettingsAreNeverForwarded() throws {
        let reply = try send("GET /h HTTP/1.1\r\nHost: rec\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 "), reply.text)
        let seen = recorder.text.lowercased()
        XCTAssertFalse(seen.contains("h2c"), seen)
        XCTAssertFalse(seen.contains("http2-settings"), seen)
        XCTAssertFalse(seen.contains("upgrade"), seen)
    }

    func testBackendSwitchingProtocolsUnaskedIs502() throws {
        let reply = try send("GET /switch HTTP/1.1\r\nHost: rec\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 502 "), reply.text)
        XCTAssertFalse(reply.text.contains("101"), reply.text)
    }

    // MARK: Helpers

    func waitUntil(_ condition: @escaping () -> Bool, seconds: Double = 3) throws {
        let end = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < end else { return XCTFail("condition not met within \(seconds) s") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}
