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
    /// `l5d-dst-*`, `l5d-err` and `l5d-reqid`: set by the proxy only.
    case l5dOwned
    /// `l5d-ctx-deadline`: read, then written anew with the time left.
    case l5dDeadline
    /// `grpc-timeout`: read, then written anew with the time left.
    case grpcTimeout
    /// `content-type`: read to tell gRPC calls, forwarded as it is.
    case contentType
    /// `l5d-retryable` on a response: the proxy's own verdict replaces it.
    case l5dRetryable
    case proxyAuthenticate
    case proxyAuthorization
    /// `HTTP2-Settings`: part of an h2c upgrade, connection-specific (RFC 9113 section 3.2.1 of RFC 7540).
    case http2Settings
    /// W3C `traceparent`/`tracestate` and B3 (`b3`, `x-b3-*`): passed on
    /// as they are, or replaced by the proxy's own span when it traces.
    case traceContext
    case other

    /// Hop-by-hop fields (RFC 9110 section 7.6.1), never forwarded as they are.
    public var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade, .proxyAuthenticate, .proxyAuthorization, .http2Settings:
            return true
        default:
            return false
        }
    }

    /// Classifies the name at `range` of `bytes`: a switch on the length
    /// first, so most names are settled by one or two comparisons.
    static func classify(_ bytes: [UInt8], _ range: Range<Int>) -> FieldKind {
        let start = range.lowerBound
        func named(_ name: StaticString, _ kind: FieldKind) -> FieldKind? {
            FieldValues.equalsIgnoringCase(bytes, range, name) ? kind : nil
        }
        switch range.count {
        case 2: return named("te", .te) ?? named("b3", .traceContext) ?? .other
        case 3: return named("via", .via) ?? .other
        case 4: return named("host", .host) ?? .other
        case 6: return named("expect", .expect) ?? .other
        case 7: return named("trailer", .trailer) ?? named("upgrade", .upgrade) ?? named("l5d-err", .l5dOwned) ?? .other
        case 8: return named("l5d-dtab", .l5dDtab) ?? .other
        case 9: return named("l5d-reqid", .l5dOwned) ?? .other
        case 10: return named("connection", .connection) ?? named("keep-alive", .keepAlive) ?? named("tracestate", .traceContext)
            ?? named("x-b3-flags", .traceContext) ?? l5dDst(bytes, start, range) ?? .other
        case 11: return named("traceparent", .traceContext) ?? named("x-b3-spanid", .traceContext) ?? l5dDst(bytes, start, range) ?? .other
        case 12: return named("x-b3-traceid", .traceContext) ?? named("x-b3-sampled", .traceContext) ?? named("grpc-timeout", .grpcTimeout)
            ?? named("content-type", .contentType)
            ?? l5dDst(bytes, start, range) ?? .other
        case 14: return named("content-length", .contentLength) ?? named("http2-settings", .http2Settings) ?? l5dDst(bytes, start, range) ?? .other
        case 15: return named("x-forwarded-for", .xForwardedFor) ?? l5dDst(bytes, start, range) ?? .other
        case 13: return named("l5d-retryable", .l5dRetryable) ?? l5dDst(bytes, start, range) ?? .other
        case 16: return named("proxy-connection", .proxyConnection) ?? named("l5d-ctx-deadline", .l5dDeadline)
            ?? l5dDst(bytes, start, range) ?? .other
        case 17: return named("transfer-encoding", .transferEncoding) ?? named("x-forwarded-proto", .xForwardedProto)
            ?? named("x-b3-parentspanid", .traceContext) ?? l5dDst(bytes, start, range) ?? .other
        case 18: return named("proxy-authenticate", .proxyAuthenticate) ?? l5dDst(bytes, start, range) ?? .other
        case 19: return named("proxy-authorization", .proxyAuthorization) ?? l5dDst(bytes, start, range) ?? .other
        default: return l5dDst(bytes, start, range) ?? .other
        }
    }

    /// Fields that decide where a message ends or where it goes: never
    /// hop-by-hop, whatever a Connection field lists.
    var isEndToEndFraming: Bool {
        self == .host || self == .contentLength || self == .transferEncoding
    }

    /// The field a name with `_` stands for when `_` is read as `-`, if
    /// that field decides framing or routing or is hop-by-hop
    /// (`Content_Length`, `Transfer_Encoding`, `Connection`'s kin): some
    /// servers (CGI, some frameworks) fold `_` into `-`, so such a field
    /// could smuggle a second framing past this proxy. Refused with 400;
    /// other names with `_` pass unchanged.
    static func disguised(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard bytes[range].contains(UInt8(ascii: "_")) else { return nil }
        let folded = bytes[range].map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }
        let kind = classify(folded, folded.indices)
        switch kind {
        case .host, .contentLength, .transferEncoding, .expect, .l5dDtab, .l5dOwned: break
        case let other where other.isHopByHop: break
        default: return nil
        }
        return String(decoding: folded, as: UTF8.self)
    }

    /// `l5d-dst-*`: set by the proxy only.
    static func l5dDst(_ bytes: [UInt8], _ start: Int, _ range: Range<Int>) -> FieldKind? {
        range.count > 8 && FieldValues.equalsIgnoringCase(bytes, start..<(start + 8), "l5d-dst-") ? .l5dOwned : nil
    }

    /// Whether `bytes[start...]` begins with `lowercase` (which is already lower-case).
    static func equalsIgnoringCase(_ bytes: [UInt8], _ start: Int, _ lowercase: [UInt8]) -> Bool {
        for index in 0..<lowercase.count where HTTP1Bytes.lower(bytes[start + index]) != lowercase[index] { return false }
        return true
    }
}
