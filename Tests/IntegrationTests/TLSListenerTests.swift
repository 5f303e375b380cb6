import Engine
import Foundation
import Proxy
import RouteLang
import XCTest

// MARK: - TLSListenerTests

/// `listen … tls cert "…" key "…"`: HTTP/2 and HTTP/1.1 over TLS on one
/// port, chosen by ALPN, with a certificate the test makes with openssl.
final class TLSListenerTests: XCTestCase {
    var fixture: ProxyFixture!
    var certificates: URL!

    override func setUp() async throws {
        certificates = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
        let made = try ExternalTool.text(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                          "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", certificates.appendingPathComponent("key.pem").path,
                                          "-out", certificates.appendingPathComponent("cert.pem").path])
        XCTAssertTrue(FileManager.default.fileExists(atPath: certificates.appendingPathComponent("cert.pem").path), made)
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            listen 127.0.0.1:0 tls cert "\(certificates.appendingPathComponent("cert.pem").path)" key "\(certificates.appendingPathComponent("key.pem").path)"
            """)
    }

    override func tearDown() async throws {
        await fixture.stop()
        try? FileManager.default.removeItem(at: certificates)
    }

    var url: String { "https://127.0.0.1:\(fixture.ports[2])/echo" }

    func testALPNChoosesHTTP2OrHTTP1OnOnePort() throws {
        let cacert = certificates.appendingPathComponent("cert.pem").path
        let h2 = try ExternalTool.text(["curl", "-sS", "-v", "--max-time", "10", "--cacert", cacert, "--http2", "-H", "Host: a", "-o", "/dev/null",
                                        "-w", "%{http_code} %{http_version}\n", url] + ["--stderr", "-"])
        XCTAssertTrue(h2.contains("ALPN: server accepted h2"), h2)
        XCTAssertTrue(h2.contains("200 2"), h2)
        let h1 = try ExternalTool.text(["curl", "-sS", "-v", "--max-time", "10", "--cacert", cacert, "--http1.1", "-H", "Host: a", "-o", "/dev/null",
                                        "-w", "%{http_code} %{http_version}\n", url] + ["--stderr", "-"])
        XCTAssertTrue(h1.contains("ALPN: server accepted http/1.1"), h1)
        XCTAssertTrue(h1.contains("200 1.1"), h1)
        XCTAssertEqual(fixture.backendA.requests, 2)
        let echoed = try ExternalTool.text(["curl", "-sS", "--max-time", "10", "--cacert", cacert, "-D", "-", "-o", "/dev/null", "-H", "Host: a", url])
        XCTAssertTrue(echoed.contains("x-echo-x-forwarded-proto: https"), echoed)
    }

    func testH2LoadOverTLS() throws {
        let text = try ExternalTool.text(["h2load", "-T", "20", "-n", "200", "-c", "2", "-m", "10", "-H", ":authority: a", url])
        XCTAssertTrue(text.contains("Application protocol: h2"), text)
        XCTAssertTrue(text.contains("200 succeeded, 0 failed, 0 errored"), text)
    }

    func testAFloodOverTLSEndsTheConnectionToo() throws {
        // The GOAWAY must be recognised before it is encrypted.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/h2_frames.py").path
        let data = try ExternalTool.output(["env", "TLS=1", "timeout", "30", "python3", script, "ping-flood", String(fixture.ports[2])])
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        XCTAssertEqual(result["goaway"] as? Int, HTTP2SafetyTests.enhanceYourCalm, "\(result)")
        XCTAssertEqual(result["closed"] as? Bool, true, "\(result)")
    }

    func testACertificateThatCannotBeReadStopsTheStart() async throws {
        let rules = """
            listen 127.0.0.1:0 tls cert "/nonexistent/cert.pem" key "/nonexistent/key.pem"
            namer disco = static "127.0.0.1:1"
            identify host
            dtab { /svc => /#/disco; }
            """
        let config = try XCTUnwrap(RuleFrontEnd.lint(SourceFile(name: "tls.routes", text: rules)).config)
        let server = try ProxyServer(snapshot: RoutingSnapshot(config: config, namers: NamerKinds.table(for: config)), group: fixture.group)
        do {
            _ = try await server.start(listeners: config.listeners)
            XCTFail("a listener without its certificate must not start")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot use TLS certificate /nonexistent/cert.pem"), "\(error)")
        }
    }
}
