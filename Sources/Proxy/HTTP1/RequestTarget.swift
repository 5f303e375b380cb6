// MARK: - RequestTarget

/// The four forms of a request target (RFC 9112 section 3.2), validated
/// strictly so the proxy and a backend can never read one differently.
enum RequestTarget {
    /// `/path?query` (section 3.2.1).
    case origin
    /// `http://authority/path?query` (section 3.2.2); the authority wins
    /// over Host, which the proxy rewrites to match.
    case absolute(authority: String)
    /// `*`, for OPTIONS only (section 3.2.4).
    case asterisk

    /// Classifies and checks `target` for `method` (CONNECT, whose target is
    /// `host:port`, is refused before this): no fragment (a client
    /// never sends one, RFC 9110 section 4.2.4), a scheme of http or https,
    /// no userinfo, a valid authority with a port in range.
    static func parse(_ target: ArraySlice<UInt8>, method: String) -> Result<RequestTarget, HTTP1ParseError> {
        func invalid(_ why: String) -> Result<RequestTarget, HTTP1ParseError> {
            .failure(HTTP1ParseError(.invalidTarget, "request target `\(String(decoding: target, as: UTF8.self))` \(why)"))
        }
        if target.contains(UInt8(ascii: "#")) { return invalid("has a fragment") }
        if target.first == UInt8(ascii: "/") { return .success(.origin) }
        if target.elementsEqual("*".utf8) {
            return method == "OPTIONS" ? .success(.asterisk) : invalid("is `*`, which only OPTIONS may use")
        }
        let lowered = target.map(HTTP1Bytes.lower)
        let schemeLength: Int
        if lowered.starts(with: "http://".utf8) {
            schemeLength = 7
        } else if lowered.starts(with: "https://".utf8) {
            schemeLength = 8
        } else {
            return invalid("is neither a path nor an http(s) URI")
        }
        let rest = target.dropFirst(schemeLength)
        let authority = rest.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }
        if authority.contains(UInt8(ascii: "@")) { return invalid("has userinfo, which http URIs may not carry") }
        guard Authority.isValid(authority, requirePort: false) else { return invalid("has an invalid authority") }
        return .success(.absolute(authority: String(decoding: authority, as: UTF8.self)))
    }
}

// MARK: - Authority

/// `uri-host [ ":" port ]` (RFC 3986 section 3.2.2; RFC 9110 section 7.2):
/// a registered name of unreserved, percent-encoded and sub-delim
/// characters, an IPv4 address, or an IPv6 literal in brackets; the port
/// is decimal, at most 65535.
enum Authority {
    static func isValid<Bytes: Collection<UInt8>>(_ bytes: Bytes, requirePort: Bool) -> Bool {
        // Read in place (a Host value is a slice of the head): no copy.
        if let valid = bytes.withContiguousStorageIfAvailable({ isValid(text: $0, requirePort: requirePort) }) { return valid }
        return Array(bytes).withUnsafeBufferPointer { isValid(text: $0, requirePort: requirePort) }
    }

    private static func isValid(text: UnsafeBufferPointer<UInt8>, requirePort: Bool) -> Bool {
        guard !text.isEmpty else { return false }
        var hostEnd = text.count
        var portStart: Int?
        if text[0] == UInt8(ascii: "[") {
            guard let close = text.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            guard text[1..<close].allSatisfy({ HTTP1Bytes.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }),
                  text[1..<close].contains(UInt8(ascii: ":")) else { return false }
            hostEnd = close + 1
            if hostEnd < text.count {
                guard text[hostEnd] == UInt8(ascii: ":") else { return false }
                portStart = hostEnd + 1
            }
        } else {
            if let colon = text.lastIndex(of: UInt8(ascii: ":")) {
                hostEnd = colon
                portStart = colon + 1
            }
            guard hostEnd > 0, isRegisteredName(text[0..<hostEnd]) else { return false }
        }
        guard let portStart else { return !requirePort }
        let port = text[portStart...]
        // An empty port is allowed by RFC 3986 but means "default": refuse
        // it, as `host:` is never what a client meant.
        guard !port.isEmpty, port.count <= 5, port.allSatisfy(HTTP1Bytes.isDigit),
              let value = Int(String(decoding: port, as: UTF8.self)), value <= 65535 else { return false }
        return true
    }

    /// `reg-name = *( unreserved / pct-encoded / sub-delims )`, non-empty.
    static func isRegisteredName<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, HTTP1Bytes.isHexDigit(bytes[index + 1]), HTTP1Bytes.isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
                continue
            }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                 UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
                index += 1
            default:
                return false
            }
        }
        return true
    }
}
