// MARK: - RequestHead

/// A parsed, validated HTTP/1.x request head. It keeps the raw bytes and
/// the offsets of each field, so the proxy can forward header bytes with
/// in-place edits instead of rebuilding them.
public struct RequestHead: Sendable {
    public enum Version: Sendable, Hashable {
        case http10
        case http11
    }

    /// How the body is delimited (RFC 9112 section 6.3).
    public enum Framing: Sendable, Hashable {
        case none
        case contentLength(UInt64)
        case chunked
    }

    /// One field line: offsets of its name and (trimmed) value in `bytes`.
    public struct Field: Sendable, Hashable {
        public var name: Range<Int>
        public var value: Range<Int>
        /// The whole line including CRLF, for removal when forwarding.
        public var line: Range<Int>
        /// What the name is, when the proxy cares.
        public var kind: FieldKind
    }

    /// The head exactly as received, from the request line to the final CRLF.
    public var bytes: [UInt8]
    public var method: String
    public var target: String
    public var version: Version
    public var fields: [Field]
    public var framing: Framing
    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool
    public var expectContinue: Bool
    /// The `Upgrade` value when `Connection: upgrade` asks for one (WebSocket).
    public var upgrade: String?
    /// Leading empty lines skipped before the request line (RFC 9112 section 2.2).
    public var skippedPrefix: Int
    /// The authority of an absolute-form target (`http://a.example/x`).
    public var targetAuthority: String?
    /// The Content-Length value, once, however the fields spelled it
    /// (`5, 5` is forwarded as `5`, as RFC 9110 section 8.6 requires).
    public var contentLength: UInt64?

    /// The authority the request names: an absolute-form target's, which
    /// wins over Host (RFC 9112 section 3.2.2), else the Host value.
    public var authority: String? { targetAuthority ?? value(.host) }

    /// Bytes consumed from the connection, skipped prefix included.
    public var consumed: Int { skippedPrefix + bytes.count }

    public func value(_ field: Field) -> String {
        String(decoding: bytes[field.value], as: UTF8.self)
    }

    /// Values of the fields of one kind, in order.
    public func values(_ kind: FieldKind) -> [String] {
        var result: [String] = []
        for field in fields where field.kind == kind { result.append(value(field)) }
        return result
    }

    /// The first value of a field of one kind, if present.
    public func value(_ kind: FieldKind) -> String? {
        fields.first { $0.kind == kind }.map(value)
    }

    /// Values of the fields named `name` (ASCII case-insensitive), in order.
    public func values(named name: String) -> [String] {
        let wanted = Array(name.lowercased().utf8)
        return fields.filter { $0.name.count == wanted.count && FieldKind.equalsIgnoringCase(bytes, $0.name.lowerBound, wanted) }
            .map(value)
    }

    /// The first value of a field named `name`, if present.
    public func value(named name: String) -> String? {
        values(named: name).first
    }
}

extension RequestHead {
    /// A gRPC call: it sent `grpc-timeout`, or its content type is gRPC's.
    /// Its deadline goes on in `grpc-timeout`, and the proxy's own errors
    /// reach it as gRPC statuses.
    public var isGRPC: Bool {
        // Field kinds were classified while parsing: no name is compared here.
        fields.contains { $0.kind == .grpcTimeout } || value(.contentType)?.hasPrefix("application/grpc") == true
    }
}
