import NIOCore

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
        guard text.utf8.count == 32, Self.isHex(Substring(text)), let high = UInt64(String(text.prefix(16)), radix: 16),
              let low = UInt64(String(text.suffix(16)), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }

    public var description: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            Self.writeHex(high, into: buffer, at: 0)
            Self.writeHex(low, into: buffer, at: 16)
            return 32
        }
    }

    /// Appends the 32 digits to `out`.
    public func write(into out: inout ByteBuffer) {
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: 32) { raw in
            let buffer = UnsafeMutableBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 32)
            Self.writeHex(high, into: buffer, at: 0)
            Self.writeHex(low, into: buffer, at: 16)
            return 32
        }
    }

    // MARK: Hex digits

    static let digits: StaticString = "0123456789abcdef"

    /// `word` as 16 lower-case hex digits at `offset`.
    static func writeHex(_ word: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let table = digits.utf8Start
        for index in 0..<16 { buffer[offset + index] = table[Int((word >> UInt64(60 - index * 4)) & 0xf)] }
    }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}
