import Foundation
import XCTest

// MARK: - OTLPReceiver

/// An OTLP/HTTP trace receiver for the tracing tests: a Python process
/// that decodes each exported `ExportTraceServiceRequest` with the
/// opentelemetry-proto package (installed by scripts/test.sh) and writes
/// one JSON line per span, which `spans()` reads back.
final class OTLPReceiver: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)" }

    struct Span: Decodable {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        var kind: Int
        var status: Int
        var attributes: [String: String]

        enum CodingKeys: String, CodingKey {
            case traceID = "trace_id", spanID = "span_id", parentSpanID = "parent_span_id", name, kind, status, attributes
        }
    }

    static let script = #"""
    import json, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest, ExportTraceServiceResponse

    port, out = int(sys.argv[1]), sys.argv[2]

    def value(v):
        kind = v.WhichOneof("value")
        return str(getattr(v, kind)) if kind else ""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            with open(out, "a") as f:
                for resource in request.resource_spans:
                    for scope in resource.scope_spans:
                        for span in scope.spans:
                            f.write(json.dumps({
                                "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex(), "name": span.name, "kind": span.kind,
                                "status": span.status.code,
                                "attributes": {a.key: value(a.value) for a in span.attributes},
                            }) + "\n")
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.script.write(to: directory.appendingPathComponent("receiver.py"), atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory.appendingPathComponent("receiver.py").path, "\(port)",
                             directory.appendingPathComponent("spans.jsonl").path]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        for _ in 0..<100 {
            if (try? connectToLoopback(port: port, timeout: 0.2)).map({ close($0); return true }) == true { return }
            guard process.isRunning else {
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw ReceiverFailed(description: "the OTLP receiver exited (scripts/test.sh installs opentelemetry-proto): \(message)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ReceiverFailed(description: "the OTLP receiver did not listen on \(port)")
    }

    struct ReceiverFailed: Error, CustomStringConvertible { var description: String }

    /// The spans received so far.
    func spans() -> [Span] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("spans.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Span.self, from: Data($0.utf8)) }
    }

    func stop() {
        // SIGKILL: the test process's blocked signals (SIGTERM among them) are inherited by the child.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
