import Foundation
import Proxy
import XCTest

// MARK: - HTTP2SafetyTests

/// h2spec's kind of cases, written as raw frames with Python's h2 library
/// (Scripts/h2_frames.py), since no h2spec package exists here: malformed
/// requests cost their stream, floods and rapid resets cost the connection
/// (GOAWAY, then close), and the proxy goes on serving other clients.
final class HTTP2SafetyTests: XCTestCase {
    var fixture: ProxyFixture!

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/h2_frames.py").path

    /// RFC 9113 section 7 error codes.
    static let protocolError = 1, flowControlError = 3, cancel = 8, enhanceYourCalm = 11

    override func setUp() async throws {
        fixture = ProxyFixture()
        try await fixture.start()
    }

    override func tearDown() async throws {
        await fixture.stop()
    }

    func testMalformedRequestsAreResetAndTheConnectionGoesOn() throws {
        // No :path, an upper-case field name, a connection-specific field, a
        // pseudo-header after a regular one... and a body longer than its
        // content-length: each is a stream error (section 8.1.1).
        let result = try frames("malformed")
        XCTAssertEqual(result.resets, ["1": Self.protocolError, "3": Self.protocolError, "5": Self.protocolError,
                                       "7": Self.protocolError, "9": Self.protocolError], "\(result)")
        XCTAssertEqual(result.statuses, ["11": 200], "a well-formed request on the same connection is answered")
        XCTAssertNil(result.goaway)
        XCTAssertFalse(result.closed)
        XCTAssertEqual(fixture.backendA.requests, 1, "no malformed request was forwarded")
    }

    /// The proxy serves a new stream with the state of a closed one (no
    /// allocation per stream): answers must never cross between streams,
    /// cancelled ones in between included.
    func testEveryStreamGetsItsOwnAnswerWhileStreamsAreReused() throws {
        let result = try frames("reuse")
        XCTAssertNil(result.goaway, "\(result)")
        XCTAssertFalse(result.closed)
        for wave in 0..<3 {
            for index in 0..<15 {
                let stream = String(1 + 2 * (wave * 15 + index))
                let name = "\(wave)-\(index)"
                if index % 5 == 4 {
                    XCTAssertNil(result.statuses[stream], "cancelled stream \(stream) got no answer")
                    continue
                }
                XCTAssertEqual(result.statuses[stream], 200, "stream \(stream): \(result)")
                XCTAssertEqual(result.echoes[stream], name, "stream \(stream) got the answer to its own request")
                XCTAssertEqual(result.bodies[stream] ?? "", index % 3 == 0 ? "body of \(name)" : "", "stream \(stream)")
            }
        }
    }

    func testRapidResetEndsTheConnection() throws {
        // CVE-2023-44487: 1,000 requests each cancelled at once.
        let result = try frames("rapid-reset")
        XCTAssertEqual(result.goaway, Self.enhanceYourCalm, "\(result)")
        XCTAssertTrue(result.closed)
        XCTAssertLessThan(fixture.backendA.requests, 1000, "the flood was cut short")
        try assertStillServing()
    }

    func testControlFrameFloodsEndTheConnection() throws {
        for flood in ["settings-flood", "ping-flood"] {
            let result = try frames(flood)
            XCTAssertEqual(result.goaway, Self.enhanceYourCalm, "\(flood): \(result)")
            XCTAssertTrue(result.closed, flood)
        }
        // CONTINUATION frames without end: too many of them in a row, or a
        // header list past its limit, whichever the connection handler meets first.
        let continuation = try frames("continuation-flood")
        XCTAssertTrue([Self.enhanceYourCalm, Self.protocolError].contains(continuation.goaway ?? 0), "\(continuation)")
        XCTAssertTrue(continuation.closed)
        try assertStillServing()
        let metrics = fixture.server.metrics.exposition()
        XCTAssertTrue(metrics.contains(#"switchyard_http2_closed_total{peer="client",reason="protocol-error"} 3"#), metrics)
    }

    func testFlowControlAndStreamLimitViolationsEndTheConnection() throws {
        let overflow = try frames("window-overflow")
        XCTAssertEqual(overflow.goaway, Self.flowControlError, "\(overflow)")
        XCTAssertTrue(overflow.closed)
        // 150 streams at once against SETTINGS_MAX_CONCURRENT_STREAMS 100.
        let streams = try frames("many-streams")
        XCTAssertEqual(streams.goaway, Self.protocolError, "\(streams)")
        XCTAssertTrue(streams.closed)
        try assertStillServing()
    }

    func testLimitsSetWhatTheProxyAnnounces() async throws {
        let limited = ProxyFixture()
        try await limited.start(extraRules: "limits {\n  h2-max-concurrent-streams 10\n  h2-stream-window 1MiB\n}")
        let text = try ExternalTool.text(["nghttp", "-v", "-H", ":authority: a", "http://127.0.0.1:\(limited.port)/"])
        XCTAssertTrue(text.contains("SETTINGS_MAX_CONCURRENT_STREAMS(0x03):10"), text)
        XCTAssertTrue(text.contains("SETTINGS_INITIAL_WINDOW_SIZE(0x04):1048576"), text)
        XCTAssertTrue(text.contains(":status: 200"), text)
        await limited.stop()
    }

    // MARK: Helpers

    struct Result: CustomStringConvertible {
        var goaway: Int?
        var resets: [String: Int]
        var statuses: [String: Int]
        var closed: Bool
        /// Per stream: the `x-n` the backend saw (`/echo`), and the body.
        var echoes: [String: String] = [:]
        var bodies: [String: String] = [:]
        var description: String { "goaway \(goaway.map(String.init) ?? "none"), resets \(resets), statuses \(statuses), closed \(closed)" }
    }

    func frames(_ scenario: String) throws -> Result {
        let data = try ExternalTool.output(["timeout", "30", "python3", Self.script, scenario, String(fixture.port)])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        return Result(goaway: object["goaway"] as? Int, resets: object["resets"] as? [String: Int] ?? [:],
                      statuses: object["statuses"] as? [String: Int] ?? [:], closed: object["closed"] as? Bool ?? false,
                      echoes: object["echoes"] as? [String: String] ?? [:], bodies: object["bodies"] as? [String: String] ?? [:])
    }

    func assertStillServing(file: StaticString = #filePath, line: UInt = #line) throws {
        let reply = try fixture.curl("/", ["--http2-prior-knowledge"])
        XCTAssertEqual(reply.status, 200, "the proxy still serves other connections", file: file, line: line)
    }
}
