import Foundation
import Proxy
import XCTest

// MARK: - SmugglingTests

/// Every ambiguous request is refused with a 4xx, the connection is closed,
/// and the backend never sees it.
final class SmugglingTests: XCTestCase {
    var fixture: ProxyFixture!

    override func setUp() async throws {
        fixture = ProxyFixture()
        try await fixture.start(options: ProxyOptions(limits: HTTP1Limits(maxHeadBytes: 4096, maxRequestLineBytes: 1024)))
    }

    override func tearDown() async throws {
        await fixture.stop()
    }

    static let cases: [(String, String, Int)] = [
        ("CL and TE", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("TE and CL", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
        ("differing CL", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400),
        ("CL list", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 5\r\n\r\nabcde", 400),
        ("negative CL", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("TE not chunked", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("TE chunked twice", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400),
        ("bare CR", "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", 400),
        ("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("NUL in header", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),
        ("invalid method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("invalid chunk size", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk size overflow", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n", 400),
        ("missing host", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("oversized head", "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "x", count: 5000))\r\n\r\n", 431),
        ("long request line", "GET /\(String(repeating: "x", count: 2000)) HTTP/1.1\r\nHost: a\r\n\r\n", 414),
    ]

    func testAmbiguousRequestsAreRefusedAndNeverForwarded() throws {
        for (name, request, status) in Self.cases {
            let reply = try RawClient.exchange(port: fixture.port, request)
            XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 \(status) "), "\(name): \(reply.text)")
            XCTAssertTrue(reply.text.contains("l5d-err: "), name)
            XCTAssertTrue(reply.closed, "\(name): the connection must be closed")
        }
        // Invalid chunk sizes are found only once the body arrives, after the head
        // went out: the backend then sees its connection closed mid-request, never
        // a complete request. Every other case is refused before any byte is sent.
        XCTAssertEqual(fixture.backendA.requests, 0)
    }

    func testValidChunkedRequestStillWorks() throws {
        let reply = try RawClient.exchange(port: fixture.port,
            "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 OK"), reply.text)
        XCTAssertTrue(reply.text.hasSuffix("hello"), reply.text)
    }
}

// MARK: - LimitsFromTheRuleFileTests

/// `limits { }` in the rule file sets what the data plane accepts.
final class LimitsFromTheRuleFileTests: XCTestCase {
    func testLimitsBlockApplies() async throws {
        let fixture = ProxyFixture()
        try await fixture.start(extraRules: "limits {\n  max-head-size 2KiB\n  max-headers 5\n}\n")
        let large = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "y", count: 3000))\r\n\r\n")
        XCTAssertTrue(large.text.hasPrefix("HTTP/1.1 431 "), large.text)
        let many = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n")
        XCTAssertTrue(many.text.hasPrefix("HTTP/1.1 431 "), many.text)
        let fine = try RawClient.exchange(port: fixture.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(fine.text.hasPrefix("HTTP/1.1 200 "), fine.text)
        await fixture.stop()
    }
}
