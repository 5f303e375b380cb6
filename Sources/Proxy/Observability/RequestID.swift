import Engine

// MARK: - RequestID

/// `l5d-reqid`: a request's id, which is its trace id, so a log line, an
/// access-log line and a trace name the same request with the same value.
/// Taken from the request's W3C `traceparent` or B3 fields when it has
/// them; otherwise a new random 128-bit id in the W3C form (32 hex digits).
struct RequestID {
    /// Ids must not collide, not be secret, and the request path makes one
    /// per request: the loop's SplitMix64 stream.
    private var stream = SplitMix64()

    /// A new 128-bit id: two words, written as hex digits only where
    /// one is sent or logged (no string per request).
    mutating func next() -> TraceID {
        TraceID(high: stream.next(), low: stream.next())
    }

    /// A new 64-bit span id, for a traceparent the proxy writes itself.
    mutating func nextSpan() -> String { Self.hex(stream.next()) }

    /// True with probability `ratio`.
    mutating func draw(_ ratio: Double) -> Bool {
        ratio >= 1 || (ratio > 0 && Double(stream.next() >> 11) / Double(1 << 53) < ratio)
    }

    static func hex(_ word: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            TraceID.writeHex(word, into: buffer, at: 0)
            return 16
        }
    }


    /// The trace id a request carries, as the W3C `traceparent` its W3C or
    /// B3 fields amount to; nil when it has none or they are malformed.
    static func inbound(_ head: RequestHead) -> TraceID? {
        inboundTrace(head).flatMap { TraceID(hex: $0.traceID) }
    }

    /// A caller's trace: its id and sampling decision (nil: B3 left it to us).
    struct InboundTrace {
        var traceID: String
        var sampled: Bool?
    }

    static func inboundTrace(_ head: RequestHead) -> InboundTrace? {
        guard head.fields.contains(where: { $0.kind == .traceContext }) else { return nil }
        if let parent = head.value(named: "traceparent") {
            let parts = parent.split(separator: "-")
            if parts.count >= 4, parts[1].count == 32, TraceID.isHex(parts[1]), parts[1].contains(where: { $0 != "0" }) {
                return InboundTrace(traceID: parts[1].lowercased(), sampled: (UInt8(parts[3], radix: 16) ?? 0) & 1 == 1)
            }
        }
        guard let b3 = B3Fields.traceparent(in: head) else { return nil }
        let parts = b3.split(separator: "-")
        return InboundTrace(traceID: String(parts[1]), sampled: B3Fields.decision(in: head))
    }
}
