import Proxy
import XCTest

// MARK: - RequestHeadParserTests

/// The strict HTTP/1.1 head parser: what it accepts, and every framing
/// ambiguity it refuses (request smuggling), each with its status.
final class RequestHeadParserTests: XCTestCase {
    let parser = RequestHeadParser()

    func head(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> RequestHead? {
        switch parser.parse(Array(text.utf8)) {
        case .complete(let head): return head
        case .incomplete:
            XCTFail("incomplete: \(text.debugDescription)", file: file, line: line)
        case .failure(let error):
            XCTFail("refused (\(error.status) \(error.detail)): \(text.debugDescription)", file: file, line: line)
        }
        return nil
    }

    func refusal(_ bytes: [UInt8], limits: HTTP1Limits = HTTP1Limits()) -> HTTP1ParseError? {
        if case .failure(let error) = RequestHeadParser(limits: limits).parse(bytes) { return error }
        return nil
    }

    func refusal(_ text: String) -> HTTP1ParseError? {
        refusal(Array(text.utf8))
    }

    // MARK: Accepted

    func testSimpleGet() throws {
        let parsed = try XCTUnwrap(head("GET /users/1?x=2 HTTP/1.1\r\nHost: api.example.com\r\nAccept:  */* \r\n\r\n"))
        XCTAssertEqual(parsed.method, "GET")
        XCTAssertEqual(parsed.target, "/users/1?x=2")
        XCTAssertEqual(parsed.version, .http11)
        XCTAssertEqual(parsed.framing, RequestHead.Framing.none)
        XCTAssertTrue(parsed.keepAlive)
        XCTAssertEqual(parsed.value(named: "ACCEPT"), "*/*", "values are trimmed, names case-insensitive")
        XCTAssertEqual(parsed.fields.count, 2)
        XCTAssertEqual(parsed.consumed, 67)
    }

    func testHTTP10AndConnectionHandling() throws {
        XCTAssertFalse(try XCTUnwrap(head("GET / HTTP/1.0\r\n\r\n")).keepAlive, "1.0 closes by default and needs no Host")
        XCTAssertTrue(try XCTUnwrap(head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).keepAlive)
        XCTAssertFalse(try XCTUnwrap(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n")).keepAlive)
    }

    func testBodyFraming() throws {
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")?.framing, .contentLength(5))
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n")?.framing, .contentLength(5))
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")?.framing, RequestHead.Framing.none)
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")?.framing, .chunked)
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n\r\n")?.framing, .chunked)
    }

    func testExpectUpgradeAndTargets() throws {
        XCTAssertTrue(try XCTUnwrap(head("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")).expectContinue)
        XCTAssertEqual(head("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")?.upgrade, "websocket")
        XCTAssertNil(head("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n")?.upgrade, "Upgrade counts only when Connection lists it")
        XCTAssertNotNil(head("GET http://a.example.com/x HTTP/1.1\r\nHost: a.example.com\r\n\r\n"))
        XCTAssertNotNil(head("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertEqual(refusal("CONNECT a.example.com:443 HTTP/1.1\r\nHost: a.example.com:443\r\n\r\n")?.status, 501)
    }

    // MARK: Hardening (RFC 9110, RFC 9112, Envoy's edge guide)

    /// Absolute-form wins over Host; the authority and its port are checked.
    func testAbsoluteFormAuthority() throws {
        let absolute = try XCTUnwrap(head("GET http://b.example.com:8080/x?y HTTP/1.1\r\nHost: other\r\n\r\n"))
        XCTAssertEqual(absolute.targetAuthority, "b.example.com:8080")
        XCTAssertEqual(absolute.authority, "b.example.com:8080")
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/1.1\r\nHost: a:81\r\n\r\n")).authority, "a:81")
        XCTAssertEqual(head("GET HTTPS://[::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n")?.targetAuthority, "[::1]:443")
        for target in ["http://a:99999/", "http://a:/", "http:///x", "http://u:p@a/", "ftp://a/", "http://[zz]/", "a.example.com/x"] {
            XCTAssertEqual(refusal("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget, target)
        }
    }

    func testTargetForms() {
        XCTAssertEqual(refusal("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget, "no fragment")
        XCTAssertEqual(refusal("GET * HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget, "asterisk-form is for OPTIONS only")
        XCTAssertNotNil(head("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
    }

    func testHostMustBeAValidAuthority() {
        for host in ["", "a b", "a:99999", "a:", "a:x", "[::1", "a/b", "a@b", "%zz"] {
            XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")?.kind, .invalidHost, "Host `\(host)`")
        }
        for host in ["a", "a.example.com:8080", "[::1]:80", "127.0.0.1", "xn--bcher-kva.example", "a%41"] {
            XCTAssertNotNil(head("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"), host)
        }
    }

    /// Names that differ from a framing or hop-by-hop field only by `_`
    /// are refused; other names with `_` pass.
    func testUnderscoreLookalikesAreRefused() {
        for name in ["Content_Length", "transfer_encoding", "Proxy_Connection", "Keep_Alive", "l5d_dtab", "L5D_DST_SERVICE"] {
            XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\n\(name): 5\r\n\r\n")?.kind, .invalidHeaderName, name)
        }
        XCTAssertNotNil(head("GET / HTTP/1.1\r\nHost: a\r\nX_Custom_Id: 7\r\nx_forwarded_for: 1.2.3.4\r\nHost_: 1\r\n\r\n"))
    }

    /// A Connection field may not make framing or Host hop-by-hop: the
    /// proxy would read the body by a length the backend never sees.
    func testConnectionCannotListFramingFields() {
        for listed in ["content-length", "Transfer-Encoding", "host", "keep-alive, Content-Length"] {
            XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nConnection: \(listed)\r\n\r\nx")?.kind,
                           .invalidConnectionOption, listed)
        }
        XCTAssertNotNil(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, x-trace\r\n\r\n"))
    }

    /// RFC 9112 section 6.1: a coding the proxy does not know is 501.
    func testUnknownTransferCodingsAre501() {
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: aaaa, chunked\r\n\r\n")?.status, 501)
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n")?.status, 501)
        XCTAssertEqual(head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")?.framing, .chunked)
    }

    func testOnlyHundredContinueIsAnExpectation() {
        XCTAssertEqual(refusal("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n")?.status, 417)
        XCTAssertEqual(refusal("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\nContent-Length: 1\r\n\r\n")?.status, 417)
        XCTAssertEqual(head("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-CONTINUE\r\nContent-Length: 1\r\n\r\n")?.expectContinue, true)
        XCTAssertEqual(head("PUT / HTTP/1.0\r\nExpect: whatever\r\nContent-Length: 1\r\n\r\n")?.expectContinue, false,
                       "HTTP/1.0 expectations are ignored")
    }

    func testUpgrades() {
        let valid = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        XCTAssertEqual(refusal(valid + "\r\n")?.kind, .invalidUpgrade, "no key")
        XCTAssertEqual(refusal(valid + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n")?.kind, .invalidUpgrade, "short key")
        XCTAssertEqual(refusal(valid + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")?.kind, .invalidUpgrade)
        XCTAssertEqual(refusal("POST /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")?.kind, .invalidUpgrade)
        let h2c = head("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
        XCTAssertNil(h2c?.upgrade, "h2c is never tunnelled")
        XCTAssertEqual(h2c?.fields.last?.kind, .http2Settings)
        XCTAssertTrue(FieldKind.http2Settings.isHopByHop)
        XCTAssertEqual(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: foo/2, bar\r\n\r\n")?.upgrade, "foo/2, bar")
    }


    func testLeadingEmptyLinesAndObsText() throws {
        let parsed = try XCTUnwrap(head("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{e9}\r\n\r\n"))
        XCTAssertEqual(parsed.skippedPrefix, 4)
        XCTAssertEqual(parsed.value(named: "x-name"), "café", "obs-text (bytes >= 0x80) is allowed in values")
    }

    func testIncompleteHeadsWaitAndPipelinedBytesAreLeft() throws {
        for partial in ["", "GET", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"] {
            guard case .incomplete = parser.parse(Array(partial.utf8)) else { return XCTFail("`\(partial.debugDescription)` should wait") }
        }
        let two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
        let first = try XCTUnwrap(head(two))
        XCTAssertEqual(first.target, "/1")
        XCTAssertEqual(first.consumed, two.utf8.count / 2)
    }

    // MARK: Refused: framing ambiguity (request smuggling)

    func testContentLengthWithTransferEncoding() {
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n")?.kind, .contentLengthWithTransferEncoding)
        XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n")?.status, 400)
    }

    func testDifferingOrMalformedContentLength() {
        for value in ["5\r\nContent-Length: 6", "5, 6", "-1", "+5", "0x5", "5 5", "", "1e3", "123456789012345678901", "5,", ",,,,\t8", "5,,5", ", 5"] {
            // Content-Length is `1*DIGIT`; a list of identical values is the
            // one recovery RFC 9110 section 8.6 allows, and empty elements are not.
            let error = refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n")
            XCTAssertEqual(error?.status, 400, "Content-Length: \(value)")
        }
    }

    func testTransferEncodingMustEndInChunkedExactlyOnce() {
        for value in ["gzip", "chunked, gzip", "chunked, chunked", "", "chunked;q=1"] {
            XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(value)\r\n\r\n")?.status, 400, "Transfer-Encoding: \(value)")
        }
        XCTAssertEqual(refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")?.kind, .transferEncodingInHTTP10)
    }

    func testLineEndingsAndFolding() {
        XCTAssertEqual(refusal("GET / HTTP/1.1\nHost: a\n\n")?.kind, .bareLineFeed)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n")?.kind, .bareCarriageReturn)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n continued\r\n\r\n")?.kind, .obsoleteLineFolding)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost : a\r\n\r\n")?.kind, .whitespaceBeforeColon)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n")?.kind, .whitespaceBeforeColon)
    }

    func testControlCharactersAndNames() {
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0] + Array("b\r\n\r\n".utf8))?.kind, .invalidHeaderValue)
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0x7F] + Array("\r\n\r\n".utf8))?.kind, .invalidHeaderValue)
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nX: a".utf8) + [0x01] + Array("\r\n\r\n".utf8))?.kind, .invalidHeaderValue)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nBad@Name: x\r\n\r\n")?.kind, .invalidHeaderName)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n")?.kind, .invalidHeaderName)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n")?.kind, .invalidHeaderName)
    }

    func testRequestLine() {
        XCTAssertEqual(refusal("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidMethod)
        XCTAssertEqual(refusal("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidRequestLine)
        XCTAssertEqual(refusal("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")?.kind, .invalidRequestLine)
        XCTAssertEqual(refusal("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget)
        XCTAssertEqual(refusal("GET /\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget)
        XCTAssertEqual(refusal("GET / HTTP/2.0\r\nHost: a\r\n\r\n")?.status, 505)
        XCTAssertEqual(refusal("GET / HTTP/1.1x\r\nHost: a\r\n\r\n")?.kind, .invalidRequestLine)
        XCTAssertEqual(refusal("GET / HTTX/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidRequestLine)
        XCTAssertEqual(refusal("GET * HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget)
        XCTAssertEqual(refusal("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .unsupportedMethod)
        XCTAssertEqual(refusal("GET users HTTP/1.1\r\nHost: a\r\n\r\n")?.kind, .invalidTarget)
    }

    func testHost() {
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n\r\n")?.kind, .missingHost)
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")?.kind, .multipleHosts)
    }

    func testLimits() {
        let limits = HTTP1Limits(maxHeadBytes: 200, maxRequestLineBytes: 50, maxHeaderCount: 3)
        XCTAssertEqual(refusal(Array("GET /\(String(repeating: "a", count: 60)) HTTP/1.1\r\n".utf8), limits: limits)?.status, 414)
        XCTAssertEqual(refusal(Array("GET /\(String(repeating: "a", count: 60))".utf8), limits: limits)?.status, 414,
                       "an over-long request line is refused before it ends")
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 300))\r\n\r\n".utf8), limits: limits)?.status, 431)
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 300))".utf8), limits: limits)?.status, 431,
                       "an over-large head is refused before it ends")
        XCTAssertEqual(refusal(Array("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n".utf8), limits: limits)?.status, 431)
    }

    func testRandomBytesNeverCrash() {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let alphabet = Array("GET POST / HTTP/1.1\r\n:Host a,chunked Content-Length Transfer-Encoding 0123456789 \t;=\"".utf8) + [0, 0x7F, 0xC3, 0xA9]
        for _ in 0..<20_000 {
            let bytes = (0..<Int(next() % 120)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            _ = parser.parse(bytes)
        }
    }
}
