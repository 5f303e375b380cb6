// MARK: - B3Fields

/// Zipkin's B3 propagation, single header (`b3: TRACE-SPAN-SAMPLED[-PARENT]`)
/// and multi-header (`X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`,
/// `X-B3-Flags`), translated to and from W3C `traceparent`, which is what
/// the tracer reads and writes. A 64-bit B3 trace id is padded to 128 bits.
enum B3Fields {
    /// The `traceparent` a request's B3 fields amount to, if they carry ids.
    static func traceparent(in head: RequestHead) -> String? {
        var trace: String?
        var span: String?
        var sampled: Bool?
        if let single = head.value(named: "b3") {
            let parts = single.split(separator: "-").map(String.init)
            guard parts.count >= 2 else { return nil }
            trace = parts[0]
            span = parts[1]
            if parts.count >= 3 { sampled = parts[2] == "1" || parts[2] == "d" }
        } else {
            trace = head.value(named: "x-b3-traceid")
            span = head.value(named: "x-b3-spanid")
            if head.value(named: "x-b3-flags") == "1" {
                sampled = true
            } else if let value = head.value(named: "x-b3-sampled") {
                sampled = value == "1" || value.lowercased() == "true"
            }
        }
        guard let trace, let span, trace.count == 16 || trace.count == 32, span.count == 16,
              TraceID.isHex(Substring(trace)), TraceID.isHex(Substring(span)) else { return nil }
        let padded = (trace.count == 16 ? String(repeating: "0", count: 16) + trace : trace).lowercased()
        return "00-\(padded)-\(span.lowercased())-\(sampled == false ? "00" : "01")"
    }

    /// The caller's B3 sampling decision; nil when it left it to us.
    static func decision(in head: RequestHead) -> Bool? {
        if let single = head.value(named: "b3") {
            let parts = single.split(separator: "-")
            let flag = parts.count == 1 ? parts[0] : parts.count >= 3 ? parts[2] : nil
            return flag.map { $0 == "1" || $0 == "d" }
        }
        if head.value(named: "x-b3-flags") == "1" { return true }
        return head.value(named: "x-b3-sampled").map { $0 == "1" || $0.lowercased() == "true" }
    }

    /// B3 single and multi-header fields with the ids of `traceparent`.
    static func fields(fromTraceparent parent: String) -> [(String, String)] {
        let parts = parent.split(separator: "-")
        guard parts.count >= 4 else { return [] }
        return fields(trace: String(parts[1]), span: String(parts[2]), sampled: (UInt8(parts[3], radix: 16) ?? 0) & 1 == 1)
    }

    /// B3 single and multi-header fields for a trace and span id (hex).
    static func fields(trace: String, span: String, sampled: Bool) -> [(String, String)] {
        let flag = sampled ? "1" : "0"
        return [("b3", trace + "-" + span + "-" + flag), ("x-b3-traceid", trace), ("x-b3-spanid", span), ("x-b3-sampled", flag)]
    }
}
