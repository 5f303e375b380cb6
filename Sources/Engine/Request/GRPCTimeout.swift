// MARK: - GRPCTimeout

/// gRPC's `grpc-timeout` (PROTOCOL-HTTP2.md): at most 8 digits and a unit,
/// `H`, `M`, `S`, `m` (milliseconds), `u` or `n`. It shortens the request's
/// deadline like `l5d-ctx-deadline` does (never lengthens the route's), and
/// each attempt sends on the time that is left. A value that does not parse
/// is ignored.
public enum GRPCTimeout {
    /// Nanoseconds the value grants.
    public static func parse(_ value: String) -> UInt64? {
        let bytes = Array(value.utf8)
        guard (2...9).contains(bytes.count), let unit = bytes.last else { return nil }
        var amount: UInt64 = 0
        for digit in bytes.dropLast() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            amount = amount * 10 + UInt64(digit - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return amount * 3_600_000_000_000
        case UInt8(ascii: "M"): return amount * 60_000_000_000
        case UInt8(ascii: "S"): return amount * 1_000_000_000
        case UInt8(ascii: "m"): return amount * 1_000_000
        case UInt8(ascii: "u"): return amount * 1_000
        case UInt8(ascii: "n"): return amount
        default: return nil
        }
    }

    /// The value for `nanoseconds` left: the finest unit whose amount fits
    /// in 8 digits (rounded up, so a deadline is never sent shorter than zero).
    public static func value(nanoseconds: UInt64) -> String {
        for (unit, size) in [("n", UInt64(1)), ("u", 1_000), ("m", 1_000_000), ("S", 1_000_000_000), ("M", 60_000_000_000)] {
            let amount = (nanoseconds + size - 1) / size
            if amount <= 99_999_999 { return "\(amount)\(unit)" }
        }
        return "\(min(99_999_999, (nanoseconds + 3_599_999_999_999) / 3_600_000_000_000))H"
    }
}
