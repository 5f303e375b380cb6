// MARK: - WeightFormat

/// Number formatting that matches what Finagle (on the JVM) prints, so
/// `show` output is byte-for-byte what Linkerd users are used to.
public enum WeightFormat {
    /// Java's `f"$w%.2f"`: the shortest decimal form of the double, rounded
    /// half-up to two places (C's printf would round the binary value instead).
    public static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
        let negative = value < 0
        var digits = Array(String(describing: abs(value)))
        if digits.contains("e") {
            return fallback(value)
        }
        if !digits.contains(".") { digits += [".", "0"] }
        let dot = digits.firstIndex(of: ".")!
        var integer = digits[..<dot].compactMap { $0.wholeNumberValue }
        var fraction = digits[(dot + 1)...].compactMap { $0.wholeNumberValue }
        while fraction.count < 3 { fraction.append(0) }
        var kept = Array(fraction.prefix(2))
        if fraction[2] >= 5 {
            // Propagate the carry through the fraction and then the integer part.
            var carry = 1
            for i in stride(from: kept.count - 1, through: 0, by: -1) where carry == 1 {
                kept[i] += 1
                if kept[i] == 10 { kept[i] = 0 } else { carry = 0 }
            }
            for i in stride(from: integer.count - 1, through: 0, by: -1) where carry == 1 {
                integer[i] += 1
                if integer[i] == 10 { integer[i] = 0 } else { carry = 0 }
            }
            if carry == 1 { integer.insert(1, at: 0) }
        }
        let text = integer.map(String.init).joined() + "." + kept.map(String.init).joined()
        return negative ? "-" + text : text
    }

    /// A weight in the shortest form that reads back to the same value
    /// (`0.95`, `2`), used by RouteLang's own printer.
    public static func shortest(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(describing: value)
    }

    private static func fallback(_ value: Double) -> String {
        // Exponent forms only arise for weights below 1e-4 or above 1e16; round the binary value.
        let scaled = (value * 100).rounded(.toNearestOrAwayFromZero) / 100
        let whole = Int64(scaled)
        let cents = Int64((abs(scaled) * 100).rounded()) % 100
        return "\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }
}
