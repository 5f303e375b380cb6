// MARK: - FieldStrings

/// The strings of the last response head's field names and values, by
/// position, so a session turning one response head after another into
/// header blocks makes a `String` only for what changed. A string of more
/// than 15 bytes is a heap allocation, and a backend sends the same long
/// values (`date` changes once a second, `server`, `content-type`, cache
/// and security fields not at all) in the same order every time.
struct FieldStrings {
    private var names: [String] = []
    private var values: [String] = []

    /// The lower-cased name of field `index`, `bytes` as received.
    mutating func name(_ index: Int, _ bytes: ArraySlice<UInt8>) -> String {
        Self.reuse(&names, index, bytes, lowercased: true)
    }

    /// The value of field `index`.
    mutating func value(_ index: Int, _ bytes: ArraySlice<UInt8>) -> String {
        Self.reuse(&values, index, bytes, lowercased: false)
    }

    private static func reuse(_ strings: inout [String], _ index: Int, _ bytes: ArraySlice<UInt8>, lowercased: Bool) -> String {
        if index < strings.count, matches(strings[index], bytes, lowercased: lowercased) { return strings[index] }
        var made = String(decoding: bytes, as: UTF8.self)
        if lowercased, bytes.contains(where: { $0 >= 65 && $0 <= 90 }) { made = made.lowercased() }
        if index < strings.count {
            strings[index] = made
        } else if index == strings.count, index < limit {
            strings.append(made)
        }
        return made
    }

    /// Whether `known` spells `bytes` (lower-cased ASCII when `lowercased`), compared byte by byte.
    private static func matches(_ known: String, _ bytes: ArraySlice<UInt8>, lowercased: Bool) -> Bool {
        var known = known
        return known.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            var offset = 0
            for byte in bytes {
                let wanted = lowercased && byte >= 65 && byte <= 90 ? byte | 0x20 : byte
                if utf8[offset] != wanted { return false }
                offset += 1
            }
            return true
        }
    }

    /// Fields past this many are not remembered.
    private static let limit = 32
}
