import Engine
import Instrumentation
import ServiceContextModule
import Tracing

// MARK: - RequestTracing

/// The request path's spans, in OpenTelemetry's HTTP conventions: a server
/// span per request (its parent extracted from the caller's W3C or B3
/// fields) and a client span per attempt under it, so retries show as
/// siblings. Each attempt's span is what the backend sees as its parent.
enum RequestTracing {
    /// Whether a request is recorded, decided before any span exists
    /// (parent-based: a caller's decision is followed; a trace that starts
    /// here is recorded with probability `ratio`).
    enum Decision {
        case record
        /// Not recorded: the request keeps `requestID`, and the backend gets
        /// `fields` (nil: the caller's own, passed on unchanged).
        case skip(requestID: TraceID, fields: [(String, String)]?)
    }

    static func decide(_ head: RequestHead, ratio: Double, ids: inout RequestID) -> Decision {
        if let inbound = RequestID.inboundTrace(head) {
            if inbound.sampled ?? ids.draw(ratio) { return .record }
            return .skip(requestID: TraceID(hex: inbound.traceID) ?? ids.next(), fields: nil)
        }
        if ids.draw(ratio) { return .record }
        // Downstream hears that this trace was not sampled, under the id the request carries.
        // Built from the ids directly: this runs for all but the sampled share of requests.
        let id = ids.next()
        let trace = id.description
        let span = ids.nextSpan()
        return .skip(requestID: id, fields: [("traceparent", "00-" + trace + "-" + span + "-00")]
                         + B3Fields.fields(trace: trace, span: span, sampled: false))
    }

    /// The request's span; `http2`, `tls`: how the client reached the proxy.
    static func serverSpan(_ tracer: any Tracer, head: RequestHead, decision: RoutingDecision, client: String?, http2: Bool,
                           tls: Bool) -> any Span {
        var context = ServiceContext.topLevel
        tracer.extract(head, into: &context, using: HeadExtractor())
        let route = decision.routeName ?? "default"
        let span = tracer.startSpan("\(head.method) \(route)", context: context, ofKind: .server)
        // An unsampled span is only a context to propagate: its attributes would be thrown away.
        guard span.isRecording else { return span }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = head.method
            attributes["url.path"] = String(head.target.prefix { $0 != "?" })
            attributes["url.scheme"] = tls ? "https" : "http"
            attributes["network.protocol.version"] = http2 ? "2" : head.version == .http10 ? "1.0" : "1.1"
            if head.isGRPC { grpcAttributes(&attributes, path: head.target) }
            if let host = head.authority { attributes["server.address"] = host }
            if let client { attributes["client.address"] = client }
            attributes["switchyard.route"] = route
            attributes["switchyard.name"] = decision.nameText
        }
        return span
    }

    /// Attempt `number` (1: the first try) to `endpoint` of `destination`.
    static func attemptSpan(_ tracer: any Tracer, parent: any Span, method: String, endpoint: Endpoint, destination: String,
                            number: Int, http2: Bool) -> any Span {
        let span = tracer.startSpan(method, context: parent.context, ofKind: .client)
        guard span.isRecording else { return span }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["server.address"] = endpoint.host
            attributes["server.port"] = endpoint.port
            attributes["network.protocol.version"] = http2 ? "2" : "1.1"
            attributes["switchyard.dst"] = destination
            attributes["switchyard.attempt"] = number
            if number > 1 { attributes["http.request.resend_count"] = number - 1 }
        }
        return span
    }

    /// The propagation fields that make `span` the backend's parent: W3C
    /// `traceparent` (and `tracestate`), and the same ids in B3's single
    /// and multi-header forms, for backends that read only B3.
    static func fields(_ tracer: any Tracer, of span: any Span) -> [(String, String)] {
        var fields: [(String, String)] = []
        tracer.inject(span.context, into: &fields, using: FieldInjector())
        if let parent = fields.first(where: { $0.0 == "traceparent" })?.1 { fields += B3Fields.fields(fromTraceparent: parent) }
        return fields
    }

    /// `rpc.*` of a gRPC call, whose path is `/package.Service/Method`.
    private static func grpcAttributes(_ attributes: inout SpanAttributes, path: String) {
        attributes["rpc.system"] = "grpc"
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return }
        attributes["rpc.service"] = String(parts[1])
        attributes["rpc.method"] = String(parts[2])
    }

    /// Ends a span with the status the client (or, for an attempt, the
    /// proxy) got, and the gRPC status when one came; 5xx and errors mark
    /// it failed.
    static func end(_ span: any Span, status: Int?, error: String? = nil, grpcStatus: Int? = nil) {
        guard span.isRecording else { return span.end() }
        if let status { span.attributes["http.response.status_code"] = status }
        if let grpcStatus { span.attributes["rpc.grpc.status_code"] = grpcStatus }
        if let error {
            span.attributes["error.type"] = error
            span.setStatus(SpanStatus(code: .error, message: error))
        } else if let status, status >= 500 {
            span.attributes["error.type"] = String(status)
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }
}

// MARK: - Carriers

/// Reads propagation fields from a parsed request head; a request with
/// only B3 fields reads as the `traceparent` they amount to.
struct HeadExtractor: Extractor {
    func extract(key: String, from carrier: RequestHead) -> String? {
        let value = carrier.value(named: key)
        if value == nil, key == "traceparent" { return B3Fields.traceparent(in: carrier) }
        return value
    }
}

/// Collects the fields to add to a forwarded head.
struct FieldInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}
