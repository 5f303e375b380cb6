// MARK: - ResponseHead

/// A parsed backend response head, raw bytes kept for forwarding.
public struct ResponseHead: Sendable {
    /// How the response body is delimited (RFC 9112 section 6.3).
    public enum Framing: Sendable, Hashable {
        case none
        case contentLength(UInt64)
        case chunked
        /// No length: the body ends when the backend closes the connection.
        case untilClose
    }

    public var bytes: [UInt8]
    public var status: Int
    public var version: RequestHead.Version
    public var fields: [RequestHead.Field]
    public var framing: Framing
    /// Whether the backend keeps the connection open after this response.
    public var keepAlive: Bool

    /// 1xx responses other than 101 are followed by the final response.
    public var isInformational: Bool { (100..<200).contains(status) && status != 101 }

    /// Values of the fields of one kind, in order.
    public func values(_ kind: FieldKind) -> [String] {
        var result: [String] = []
        for field in fields where field.kind == kind { result.append(String(decoding: bytes[field.value], as: UTF8.self)) }
        return result
    }
}
