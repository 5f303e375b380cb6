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

    public func values(named name: String) -> [String] {
        let wanted = Array(name.utf8).map(HTTP1Bytes.lower)
        return fields.filter { field in
            field.name.count == wanted.count && zip(bytes[field.name], wanted).allSatisfy { HTTP1Bytes.lower($0) == $1 }
        }.map { String(decoding: bytes[$0.value], as: UTF8.self) }
    }
}
