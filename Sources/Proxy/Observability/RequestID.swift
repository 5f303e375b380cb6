// MARK: - RequestID

/// `l5d-reqid`: a request's id, which is its trace id, so a log line, an
/// access-log line and a trace name the same request with the same value.
/// Taken from the request's W3C `traceparent` or B3 fields when it has
/// them; otherwise a new random 128-bit id in the W3C form (32 hex digits).
struct RequestID {
    /// A per-loop SplitMix64 stream seeded once from the system: ids must
    /// not collide, not be secret, and the request path makes one per request.
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    mutating func next() -> String {
        Self.hex(nextWord()) + Self.hex(nextWord())
    }

    private mutating func nextWord() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hex(_ word: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 { buffer[index] = digits[Int((word >> UInt64(60 - index * 4)) & 0xf)] }
            return 16
        }
    }

    /// The trace id a request carries: `traceparent`'s, else B3's (a 64-bit
    /// B3 id is padded to 128 bits, as OpenTelemetry does). Nil when it has
    /// none or it is malformed.
    static func inbound(_ head: RequestHead) -> String? {
        guard head.fields.contains(where: { $0.kind == .traceContext }) else { return nil }
        if let parent = head.values(named: "traceparent").first {
            let parts = parent.split(separator: "-")
            if parts.count >= 4, parts[1].count == 32, isHex(parts[1]), parts[1] != String(repeating: "0", count: 32) {
                return parts[1].lowercased()
            }
        }
        let b3 = head.values(named: "b3").first.map { String($0.split(separator: "-").first ?? "") } ?? head.values(named: "x-b3-traceid").first
        guard let id = b3, id.count == 16 || id.count == 32, isHex(Substring(id)), id.contains(where: { $0 != "0" }) else { return nil }
        return (id.count == 16 ? String(repeating: "0", count: 16) + id : id).lowercased()
    }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}
