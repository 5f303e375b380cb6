// MARK: - FieldKind

/// The field names the proxy acts on, recognised once per field while
/// parsing (ASCII case-insensitive, no allocation), so framing checks and
/// header rewriting never compare strings again.
public enum FieldKind: Sendable, Hashable {
    case host
    case contentLength
    case transferEncoding
    case connection
    case keepAlive
    case proxyConnection
    case te
    case trailer
    case upgrade
    case expect
    case via
    case xForwardedFor
    case xForwardedProto
    case l5dDtab
    /// `l5d-dst-*` and `l5d-err`: set by the proxy only.
    case l5dOwned
    case proxyAuthenticate
    case proxyAuthorization
    case other

    /// Hop-by-hop fields (RFC 9110 section 7.6.1), never forwarded as they are.
    public var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade, .proxyAuthenticate, .proxyAuthorization:
            return true
        default:
            return false
        }
    }

    static let table: [(name: [UInt8], kind: FieldKind)] = {
        let names: [(String, FieldKind)] = [
            ("host", .host), ("content-length", .contentLength), ("transfer-encoding", .transferEncoding),
            ("connection", .connection), ("keep-alive", .keepAlive), ("proxy-connection", .proxyConnection), ("te", .te),
            ("trailer", .trailer), ("upgrade", .upgrade), ("expect", .expect), ("via", .via),
            ("x-forwarded-for", .xForwardedFor), ("x-forwarded-proto", .xForwardedProto), ("l5d-dtab", .l5dDtab),
            ("l5d-err", .l5dOwned), ("proxy-authenticate", .proxyAuthenticate), ("proxy-authorization", .proxyAuthorization),
        ]
        return names.map { (Array($0.0.utf8), $0.1) }
    }()

    static let l5dDstPrefix = Array("l5d-dst-".utf8)

    /// Classifies the name at `range` of `bytes`.
    static func classify(_ bytes: [UInt8], _ range: Range<Int>) -> FieldKind {
        let count = range.count
        for entry in table where entry.name.count == count && equalsIgnoringCase(bytes, range.lowerBound, entry.name) {
            return entry.kind
        }
        if count > l5dDstPrefix.count, equalsIgnoringCase(bytes, range.lowerBound, l5dDstPrefix) { return .l5dOwned }
        return .other
    }

    /// Whether `bytes[start...]` begins with `lowercase` (which is already lower-case).
    static func equalsIgnoringCase(_ bytes: [UInt8], _ start: Int, _ lowercase: [UInt8]) -> Bool {
        for index in 0..<lowercase.count where HTTP1Bytes.lower(bytes[start + index]) != lowercase[index] { return false }
        return true
    }
}
