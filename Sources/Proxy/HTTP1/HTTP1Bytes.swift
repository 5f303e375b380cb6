import NIOCore

// MARK: - HTTP1Bytes

/// Character classes of RFC 9110 section 5.6 and RFC 9112, as byte tests.
enum HTTP1Bytes {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let sp = UInt8(ascii: " ")
    static let htab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// `tchar`: the characters of a token (method, field name, coding).
    /// A switch rather than a table: a global table costs a lazy-init check per byte.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `field-vchar` and the spaces allowed inside a field value: VCHAR,
    /// obs-text, SP, HTAB. Every other control (NUL, CR, LF, DEL) is refused.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == sp || byte == htab || (byte >= 0x21 && byte != 0x7F)
    }

    /// Bytes a request-target may hold: visible ASCII only.
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func hexValue(_ byte: UInt8) -> UInt64 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        default: return UInt64(byte - UInt8(ascii: "A") + 10)
        }
    }

    /// ASCII lower-casing for case-insensitive comparisons of names and tokens.
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}

// MARK: - Writing numbers

extension HTTP1Bytes {
    /// Appends `value` in decimal digits to `out`, with no string made.
    static func writeDecimal(_ value: Int64, to out: inout ByteBuffer) {
        if value < 0 { out.writeInteger(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var digits = 1
        while rest >= 10 { rest /= 10; digits += 1 }
        rest = value.magnitude
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: digits) { raw in
            for index in stride(from: digits - 1, through: 0, by: -1) {
                raw[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return digits
        }
    }
}
