import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - TracingTests

/// Spans exported over OTLP/HTTP to a real receiver (Python's
/// opentelemetry-proto decodes them): a server span per request, a client
/// span per attempt as siblings across a retry, W3C and B3 propagation in
/// and out, `l5d-reqid` equal to the trace id, and the access log.
final class TracingTests: XCTestCase {
    var receiver: OTLPReceiver!
    var runtime: ProxyRuntime?
    var echo: TestBackend!
    var failing: ChaosBackend!
    var directory: URL!

    override func setUp() async throws {
        receiver = try OTLPReceiver()
        echo = try await TestBackend(name: "echo", group: MultiThreadedEventLoopGroup.singleton)
        failing = try await ChaosBackend(name: "failing", group: MultiThreadedEventLoopGroup.singleton, mode: .failing)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await runtime?.stop(grace: .seconds(1))
        await echo?.close()
        await failing?.kill()
        receiver?.stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func start(sample: String = "100%", collector: String? = nil) async throws -> Int {
        let rules = directory.appendingPathComponent("trace.routes")
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            tracing otlp "\(collector ?? receiver.url)" sample \(sample)
            access-log "\(directory.appendingPathComponent("access.jsonl").path)"
            namer echo = static "127.0.0.1:\(echo.port)"
            namer failing = static "127.0.0.1:\(failing.port)"
            identify host
            dtab {
              /svc/echo => /#/echo;
              /svc/failing => /#/failing;
            }
            route flaky {
              when host "failing"
              to /svc/failing
              retry on 5xx limit 1 backoff 1ms..2ms
            }
            """.write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        let runtime = try ProxyRuntime(path: rules.path, threads: 1, logger: logger)
        try await runtime.start()
        self.runtime = runtime
        return runtime.listenerAddresses.withLockedValue { $0[0].port! }
    }

    func get(_ port: Int, host: String, path: String = "/echo", headers: [String] = []) throws -> String {
        let extra = headers.map { "\($0)\r\n" }.joined()
        return try RawClient.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(extra)Connection: close\r\n\r\n", timeout: 5).text
    }

    func header(_ name: String, in reply: String) -> String? {
        reply.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    func exported(trace: String, count: Int) async throws -> [OTLPReceiver.Span] {
        for _ in 0..<100 {
            let found = receiver.spans().filter { $0.traceID == trace }
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return receiver.spans().filter { $0.traceID == trace }
    }

    func testW3CParentRetriesAsSiblingsAndTheRequestID() async throws {
        let port = try await start()
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let caller = "00f067aa0ba902b7"
        let reply = try get(port, host: "echo", headers: ["traceparent: 00-\(trace)-\(caller)-01", "l5d-reqid: forged"])
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        // The backend's parent is the proxy's attempt span, in the caller's trace; B3 carries the same ids.
        let forwarded = try XCTUnwrap(header("x-echo-traceparent", in: reply), reply)
        let parts = forwarded.split(separator: "-").map(String.init)
        XCTAssertEqual(parts[1], trace)
        XCTAssertNotEqual(parts[2], caller)
        XCTAssertEqual(header("x-echo-l5d-reqid", in: reply), trace, "l5d-reqid is the trace id; the client's is replaced")
        XCTAssertEqual(header("x-echo-b3", in: reply), "\(trace)-\(parts[2])-1")
        XCTAssertEqual(header("x-echo-x-b3-traceid", in: reply), trace)

        let spans = try await exported(trace: trace, count: 2)
        let server = try XCTUnwrap(spans.first { $0.kind == 2 }, "\(spans)")
        let client = try XCTUnwrap(spans.first { $0.kind == 3 }, "\(spans)")
        XCTAssertEqual(server.parentSpanID, caller)
        XCTAssertEqual(client.parentSpanID, server.spanID)
        XCTAssertEqual(client.spanID, parts[2], "the span the backend was told is the attempt span")
        XCTAssertEqual(server.attributes["http.request.method"], "GET")
        XCTAssertEqual(server.attributes["http.response.status_code"], "200")
        XCTAssertEqual(server.attributes["switchyard.route"], "default")
        XCTAssertEqual(server.attributes["switchyard.name"], "/svc/echo")
        XCTAssertEqual(client.attributes["server.port"], "\(echo.port)")
        XCTAssertEqual(client.attributes["switchyard.dst"], "/#/echo")
        XCTAssertEqual(client.attributes["switchyard.attempt"], "1")

        // A retried request: two attempt spans, siblings under the server span.
        let retried = "0af7651916cd43dd8448eb211c80319c"
        XCTAssertTrue(try get(port, host: "failing", path: "/", headers: ["traceparent: 00-\(retried)-b7ad6b7169203331-01"])
            .hasPrefix("HTTP/1.1 500"))
        let retrySpans = try await exported(trace: retried, count: 3)
        let retryServer = try XCTUnwrap(retrySpans.first { $0.kind == 2 })
        let attempts = retrySpans.filter { $0.kind == 3 }
            .sorted { ($0.attributes["switchyard.attempt"] ?? "") < ($1.attributes["switchyard.attempt"] ?? "") }
        XCTAssertEqual(attempts.count, 2, "\(retrySpans)")
        XCTAssertEqual(Set(attempts.map(\.parentSpanID)), [retryServer.spanID])
        XCTAssertEqual(attempts.map { $0.attributes["switchyard.attempt"] ?? "" }, ["1", "2"])
        XCTAssertEqual(attempts[1].attributes["http.request.resend_count"], "1")
        XCTAssertEqual(attempts.map { $0.attributes["http.response.status_code"] ?? "" }, ["500", "500"])
        XCTAssertEqual(retryServer.status, 2, "a 5xx marks the server span as an error")
        XCTAssertEqual(retryServer.attributes["switchyard.route"], "flaky")

        // The access log names both requests by their trace ids.
        await runtime?.stop(grace: .seconds(1))
        runtime = nil
        let log = try String(contentsOf: directory.appendingPathComponent("access.jsonl"), encoding: .utf8)
        let lines = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(lines.count, 2, log)
        XCTAssertEqual(lines.first?["trace_id"] as? String, trace)
        XCTAssertEqual(lines.first?["route"] as? String, "default")
        XCTAssertEqual(lines.first?["endpoint"] as? String, "127.0.0.1:\(echo.port)")
        XCTAssertEqual(lines.last?["attempts"] as? Int, 2)
        XCTAssertEqual(lines.last?["status"] as? Int, 500)
        XCTAssertEqual(lines.last?["trace_id"] as? String, retried)
        XCTAssertEqual(lines.first?["protocol"] as? String, "HTTP/1.1")
        XCTAssertTrue(lines.first?["grpc_status"] is NSNull, "not a gRPC call")
    }

    func testAGRPCCallOverHTTP2IsTracedAsOne() async throws {
        let port = try await start()
        let trace = "5bf92f3577b34da6a3ce929d0e0e4737"
        let reply = try ExternalTool.text([
            "curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
            "-H", "Host: echo", "-H", "content-type: application/grpc", "-H", "te: trailers",
            "-H", "traceparent: 00-\(trace)-00f067aa0ba902b7-01", "--data-binary", "x", "http://127.0.0.1:\(port)/grpc.Echo/Say"])
        XCTAssertEqual(reply, "2 200")
        let spans = try await exported(trace: trace, count: 2)
        let server = try XCTUnwrap(spans.first { $0.kind == 2 }, "\(spans)")
        let client = try XCTUnwrap(spans.first { $0.kind == 3 }, "\(spans)")
        XCTAssertEqual(server.attributes["network.protocol.version"], "2", "the client spoke HTTP/2")
        XCTAssertEqual(client.attributes["network.protocol.version"], "1.1", "the endpoint was spoken to in HTTP/1.1")
        XCTAssertEqual(server.attributes["rpc.system"], "grpc")
        XCTAssertEqual(server.attributes["rpc.service"], "grpc.Echo")
        XCTAssertEqual(server.attributes["rpc.method"], "Say")
        XCTAssertEqual(server.attributes["rpc.grpc.status_code"], "0", "from the trailers")
        XCTAssertEqual(client.attributes["rpc.grpc.status_code"], "0")

        // The access log says so too.
        await runtime?.stop(grace: .seconds(1))
        runtime = nil
        let log = try String(contentsOf: directory.appendingPathComponent("access.jsonl"), encoding: .utf8)
        let line = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(log.utf8)) as? [String: Any], log)
        XCTAssertEqual(line["protocol"] as? String, "HTTP/2", log)
        XCTAssertEqual(line["grpc_status"] as? Int, 0, log)
        XCTAssertEqual(line["path"] as? String, "/grpc.Echo/Say", log)
    }

    func testB3SingleAndMultiHeaderParentsAreFollowed() async throws {
        let port = try await start()
        let single = try get(port, host: "echo", headers: ["b3: a3ce929d0e0e4736-00f067aa0ba902b7-1"])
        let padded = "0000000000000000a3ce929d0e0e4736"
        XCTAssertEqual(header("x-echo-l5d-reqid", in: single), padded, "a 64-bit B3 trace id, padded")
        let singleSpans = try await exported(trace: padded, count: 2)
        XCTAssertEqual(singleSpans.first { $0.kind == 2 }?.parentSpanID, "00f067aa0ba902b7")

        let trace = "463ac35c9f6413ad48485a3953bb6124"
        let multi = try get(port, host: "echo", headers: ["X-B3-TraceId: \(trace)", "X-B3-SpanId: a2fb4a1d1a96d312", "X-B3-Sampled: 1"])
        XCTAssertEqual(header("x-echo-x-b3-traceid", in: multi), trace)
        XCTAssertNil(header("x-echo-x-b3-parentspanid", in: multi), "the caller's B3 fields are replaced, not passed on")
        let multiSpans = try await exported(trace: trace, count: 2)
        XCTAssertEqual(multiSpans.first { $0.kind == 2 }?.parentSpanID, "a2fb4a1d1a96d312")
    }

    func testSamplingFollowsTheCallerAndDropsTheRestAtZero() async throws {
        let port = try await start(sample: "0%")
        let unsampled = try get(port, host: "echo")
        let id = try XCTUnwrap(header("x-echo-l5d-reqid", in: unsampled))
        XCTAssertEqual(id.count, 32, "every request has an id, sampled or not")
        XCTAssertTrue(header("x-echo-traceparent", in: unsampled)?.hasSuffix("-00") == true, "not sampled, and says so downstream")
        let trace = "5bf92f3577b34da6a3ce929d0e0e4736"
        _ = try get(port, host: "echo", headers: ["traceparent: 00-\(trace)-00f067aa0ba902b7-01"])
        let followed = try await exported(trace: trace, count: 2)
        XCTAssertEqual(followed.count, 2, "a sampled caller's trace is recorded at sample 0%")
        XCTAssertTrue(receiver.spans().allSatisfy { $0.traceID != id }, "a trace started here at 0% is not exported")
    }

    /// A collector that refuses connections costs the requests nothing, and is counted.
    func testAnUnreachableCollectorIsCountedAndCostsRequestsNothing() async throws {
        let port = try await start(collector: "http://127.0.0.1:\(try freeLoopbackPort())")
        for _ in 0..<50 {
            XCTAssertTrue(try get(port, host: "echo").hasPrefix("HTTP/1.1 200"))
        }
        let admin = try XCTUnwrap(runtime?.adminAddress?.port)
        var counted = ""
        for _ in 0..<100 {
            let metrics = try RawClient.exchange(port: admin, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").text
            counted = metrics.split(separator: "\n").first { $0.hasPrefix("switchyard_trace_export_errors_total ") }.map(String.init) ?? ""
            if !counted.isEmpty, !counted.hasSuffix(" 0") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertFalse(counted.isEmpty || counted.hasSuffix(" 0"), "export errors are counted: \(counted)")
    }
}
