@testable import Proxy
import NIOCore
import XCTest

// MARK: - HeadRewriterTests

/// The heads the proxy forwards always parse again to the same request,
/// with Host the backend can rely on.
final class HeadRewriterTests: XCTestCase {
    let context = HeadRewriter.RequestContext(clientAddress: "10.0.0.9", logicalName: "/svc/a", boundName: "/#/disco/a",
                                              forwardDtab: false, endpoint: "127.0.0.1:9101")

    struct NotParsed: Error {}

    func forwarded(_ text: String) throws -> String {
        guard case .complete(let head) = RequestHeadParser().parse(Array(text.utf8)) else { throw NotParsed() }
        return String(buffer: HeadRewriter.request(head, context: context))
    }

    func testHTTP10WithoutHostGetsTheEndpointAsHost() throws {
        let out = try forwarded("GET /x HTTP/1.0\r\n\r\n")
        XCTAssertTrue(out.hasPrefix("GET /x HTTP/1.1\r\n"), out)
        XCTAssertTrue(out.contains("\r\nHost: 127.0.0.1:9101\r\n"), out)
        guard case .complete = RequestHeadParser().parse(Array(out.utf8)) else { return XCTFail("forwarded head must parse: \(out)") }
    }

    func testAbsoluteFormReplacesHost() throws {
        let out = try forwarded("GET http://b.example/y HTTP/1.1\r\nHost: other\r\n\r\n")
        XCTAssertTrue(out.hasPrefix("GET /y HTTP/1.1\r\n"), out)
        XCTAssertTrue(out.contains("\r\nHost: b.example\r\n"), out)
        XCTAssertFalse(out.contains("other"), out)
    }

    /// Via and X-Forwarded-For keep every received value, in order, and
    /// add the proxy's (and the client's address, when there is one).
    func testViaAndForwardedForChains() throws {
        let out = try forwarded("GET /x HTTP/1.1\r\nHost: a\r\nVia: 1.0 a\r\nX-Forwarded-For: 1.1.1.1\r\nvia: 1.1 b\r\n"
                                + "x-forwarded-for: 2.2.2.2, 3.3.3.3\r\n\r\n")
        XCTAssertTrue(out.contains("\r\nVia: 1.0 a, 1.1 b, 1.1 switchyard\r\n"), out)
        XCTAssertTrue(out.contains("\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9\r\n"), out)
        var unknownClient = context
        unknownClient.clientAddress = nil
        guard case .complete(let head) = RequestHeadParser().parse(Array("GET / HTTP/1.0\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n".utf8)) else {
            return XCTFail()
        }
        let bare = String(buffer: HeadRewriter.request(head, context: unknownClient))
        XCTAssertTrue(bare.contains("\r\nVia: 1.0 switchyard\r\nX-Forwarded-For: 1.1.1.1\r\n"), bare)
        XCTAssertFalse(try forwarded("GET / HTTP/1.1\r\nHost: a\r\n\r\n").contains("X-Forwarded-For: ,"))
    }

    func testIdenticalContentLengthsAreForwardedOnce() throws {
        let out = try forwarded("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n")
        XCTAssertEqual(out.components(separatedBy: "Content-Length").count - 1, 1, out)
        XCTAssertFalse(out.lowercased().contains("content-length: 5,"), out)
        XCTAssertTrue(out.contains("\r\nContent-Length: 5\r\n"), out)
        XCTAssertTrue(try forwarded("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").contains("\r\nContent-Length: 0\r\n"))
    }

    func testResponseFramingSurvivesAConnectionListing() throws {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: content-length, x-hop\r\nX-Hop: 1\r\n\r\n".utf8)
        guard case .complete(let head) = bytes.withUnsafeBufferPointer({ ResponseHeadParser().parse($0, requestMethod: "GET") }) else {
            return XCTFail("response did not parse")
        }
        let out = String(buffer: HeadRewriter.response(head, clientVersion: .http11, closeClient: false))
        XCTAssertTrue(out.contains("\r\nContent-Length: 2\r\n"), out)
        XCTAssertFalse(out.contains("X-Hop"), out)
    }

    func testResponseViaKeepsTheBackendsAndAddsTheProxy() throws {
        let bytes = Array("HTTP/1.1 200 OK\r\nVia: 1.1 cache\r\nContent-Length: 0\r\nvia: 1.0 origin\r\n\r\n".utf8)
        guard case .complete(let head) = bytes.withUnsafeBufferPointer({ ResponseHeadParser().parse($0, requestMethod: "GET") }) else {
            return XCTFail("response did not parse")
        }
        let out = String(buffer: HeadRewriter.response(head, clientVersion: .http11, closeClient: true))
        XCTAssertTrue(out.hasSuffix("\r\nVia: 1.1 cache, 1.0 origin, 1.1 switchyard\r\nConnection: close\r\n\r\n"), out)
    }

    /// Numbers in forwarded heads (Content-Length, l5d-ctx-deadline) are written as digits, no string made.
    func testDecimalsAreWrittenAsDigits() {
        for value: Int64 in [0, 7, 10, 99, 100, 1_733_600_000_123_456_789, .max, -42, .min] {
            var out = ByteBuffer()
            HTTP1Bytes.writeDecimal(value, to: &out)
            XCTAssertEqual(String(buffer: out), String(value))
        }
    }
}
