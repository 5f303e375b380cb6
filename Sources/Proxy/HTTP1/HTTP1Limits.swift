// MARK: - HTTP1Limits

/// Size limits for request heads, configurable per listener. Exceeding one
/// is answered with the status RFC 9110 and RFC 6585 give for it.
public struct HTTP1Limits: Sendable, Hashable {
    /// The whole head, request line and fields (431 when exceeded).
    public var maxHeadBytes: Int
    /// The request line alone (414 when exceeded).
    public var maxRequestLineBytes: Int
    /// Number of header fields (431 when exceeded).
    public var maxHeaderCount: Int
    /// A chunk-size line, extensions included (400 when exceeded).
    public var maxChunkLineBytes: Int

    public init(maxHeadBytes: Int = 64 * 1024, maxRequestLineBytes: Int = 8 * 1024, maxHeaderCount: Int = 100,
                maxChunkLineBytes: Int = 4 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}
