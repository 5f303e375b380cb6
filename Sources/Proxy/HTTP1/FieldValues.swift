// MARK: - FieldValues

/// Byte-level readings of list-valued fields (`Connection`, `Content-Length`,
/// `Transfer-Encoding`) straight from the received head: no strings, no
/// arrays, since every request and response goes through them.
enum FieldValues {
    /// Calls `body` with each element of a comma-separated value, trimmed of
    /// SP and HTAB, empty elements skipped (RFC 9110 section 5.6.1).
    static func forEachElement(_ bytes: [UInt8], _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, bytes[end] != UInt8(ascii: ",") { end += 1 }
            var lower = start
            var upper = end
            while lower < upper, bytes[lower] == HTTP1Bytes.sp || bytes[lower] == HTTP1Bytes.htab { lower += 1 }
            while upper > lower, bytes[upper - 1] == HTTP1Bytes.sp || bytes[upper - 1] == HTTP1Bytes.htab { upper -= 1 }
            if upper > lower { body(lower..<upper) }
            start = end + 1
        }
    }

    /// Whether any field of `kind` lists `token` (given in lower case).
    static func lists(_ bytes: [UInt8], _ fields: [RequestHead.Field], _ kind: FieldKind, _ token: StaticString) -> Bool {
        var found = false
        for field in fields where field.kind == kind && !found {
            forEachElement(bytes, field.value) { element in
                if !found, equalsIgnoringCase(bytes, element, token) { found = true }
            }
        }
        return found
    }

    static func equalsIgnoringCase(_ bytes: [UInt8], _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            for index in 0..<expected.count where HTTP1Bytes.lower(bytes[range.lowerBound + index]) != expected[index] { return false }
            return true
        }
    }

    enum LengthReading {
        case absent
        case length(UInt64)
        case invalid
        case conflicting
    }

    /// The Content-Length: every element of every field must be the same
    /// number of at most 18 digits.
    static func contentLength(_ bytes: [UInt8], _ fields: [RequestHead.Field]) -> LengthReading {
        var length: UInt64?
        var present = false
        var reading = LengthReading.absent
        for field in fields where field.kind == .contentLength {
            present = true
            if field.value.isEmpty { return .invalid }
            // `1*DIGIT`, or identical values in a list (RFC 9110 section 8.6);
            // unlike other lists, an empty element is not skipped but refused.
            var start = field.value.lowerBound
            while start <= field.value.upperBound {
                var end = start
                while end < field.value.upperBound, bytes[end] != UInt8(ascii: ",") { end += 1 }
                var first = start
                var last = end
                while first < last, bytes[first] == HTTP1Bytes.sp || bytes[first] == HTTP1Bytes.htab { first += 1 }
                while last > first, bytes[last - 1] == HTTP1Bytes.sp || bytes[last - 1] == HTTP1Bytes.htab { last -= 1 }
                guard first < last, last - first <= 18 else { return .invalid }
                var value: UInt64 = 0
                for index in first..<last {
                    let byte = bytes[index]
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .invalid }
                    value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
                }
                if let length, length != value { reading = .conflicting }
                length = value
                start = end + 1
            }
        }
        if case .absent = reading, present { return length.map(LengthReading.length) ?? .invalid }
        return reading
    }

    enum CodingReading {
        case absent
        /// Chunked is the final coding and appears once.
        case chunked
        /// A coding this proxy does not know (501, RFC 9112 section 6.1).
        case unsupported(String)
        case other
    }

    /// The Transfer-Encoding codings, as far as framing cares.
    static func transferCoding(_ bytes: [UInt8], _ fields: [RequestHead.Field]) -> CodingReading {
        var present = false
        var chunkedCount = 0
        var lastIsChunked = false
        var valid = true
        var unsupported: String?
        for field in fields where field.kind == .transferEncoding {
            present = true
            forEachElement(bytes, field.value) { element in
                lastIsChunked = equalsIgnoringCase(bytes, element, "chunked")
                if lastIsChunked { chunkedCount += 1 }
                if !element.allSatisfy({ HTTP1Bytes.isToken(bytes[$0]) }) {
                    valid = false
                } else if !lastIsChunked, unsupported == nil, !isKnownCoding(bytes, element) {
                    unsupported = String(decoding: bytes[element], as: UTF8.self)
                }
            }
        }
        guard present else { return .absent }
        if valid, let unsupported { return .unsupported(unsupported) }
        return valid && lastIsChunked && chunkedCount == 1 ? .chunked : .other
    }

    /// The registered transfer codings a backend may apply under chunked
    /// (RFC 9112 section 7; the IANA registry's gzip, deflate, compress).
    static func isKnownCoding(_ bytes: [UInt8], _ element: Range<Int>) -> Bool {
        equalsIgnoringCase(bytes, element, "gzip") || equalsIgnoringCase(bytes, element, "x-gzip")
            || equalsIgnoringCase(bytes, element, "deflate") || equalsIgnoringCase(bytes, element, "compress")
            || equalsIgnoringCase(bytes, element, "x-compress")
    }

    /// The protocol names of an Upgrade value, lower-cased, versions dropped
    /// (`websocket`, `h2c`, `foo` for `foo/2`).
    static func upgradeProtocols(_ value: String) -> [String] {
        value.split(separator: ",").map { element in
            let name = element.drop { $0 == " " || $0 == "\t" }.prefix { $0 != "/" && $0 != " " && $0 != "\t" }
            return name.lowercased()
        }
    }

    /// The decoded length of canonical base64 text, nil when it is not base64.
    static func base64Length(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count % 4 == 0 else { return nil }
        let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        for byte in bytes.dropLast(padding) {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "+"), UInt8(ascii: "/"):
                continue
            default:
                return nil
            }
        }
        return bytes.count / 4 * 3 - padding
    }
}
