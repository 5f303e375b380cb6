import Engine
import NIOCore

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
            writeHex(word, into: buffer, at: 0)
            return 16
        }
    }

    static let digits: StaticString = "0123456789abcdef"

    /// `word` as 16 lower-case hex digits at `offset`.
    static func writeHex(_ word: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let table = digits.utf8Start
        for index in 0..<16 { buffer[offset + index] = table[Int((word >> UInt64(60 - index * 4)) & 0xf)] }
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
            if parts.count >= 4, parts[1].count == 32, isHex(parts[1]), parts[1].contains(where: { $0 != "0" }) {
                return InboundTrace(traceID: parts[1].lowercased(), sampled: (UInt8(parts[3], radix: 16) ?? 0) & 1 == 1)
            }
        }
        guard let b3 = B3Fields.traceparent(in: head) else { return nil }
        let parts = b3.split(separator: "-")
        return InboundTrace(traceID: String(parts[1]), sampled: B3Fields.decision(in: head))
    }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

// MARK: - TraceID

/// A request's 128-bit id (its trace id), kept as two words: written as 32
/// lower-case hex digits straight into a forwarded head, and made a string
/// only for a log line or a span.
public struct TraceID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From 32 hex digits (either case); nil for anything else.
    public init?(hex text: some StringProtocol) {
        guard text.utf8.count == 32, RequestID.isHex(Substring(text)), let high = UInt64(String(text.prefix(16)), radix: 16),
              let low = UInt64(String(text.suffix(16)), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }

    public var description: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            RequestID.writeHex(high, into: buffer, at: 0)
            RequestID.writeHex(low, into: buffer, at: 16)
            return 32
        }
    }

    /// Appends the 32 digits to `out`.
    public func write(into out: inout ByteBuffer) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: 32) { raw in
            let buffer = UnsafeMutableBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 32)
            RequestID.writeHex(high, into: buffer, at: 0)
            RequestID.writeHex(low, into: buffer, at: 16)
            return 32
        }
    }
}
