import NIOCore

// MARK: - BackendLink

/// What an attempt talks to: a pooled HTTP/1.1 connection's handler
/// (`BackendHandler`) or one stream of an HTTP/2 connection to the endpoint
/// (`HTTP2UpstreamStream`). The request path writes the request to it as
/// HTTP/1.1 bytes and hears of the response through its owner
/// (`backendRead`, `backendClosed`, `backendWritabilityChanged`), whichever
/// protocol the endpoint speaks.
protocol BackendLink: AnyObject {
    /// The client connection using this link now (same event loop); nil
    /// while pooled or once the attempt let it go.
    var owner: ProxyConnection? { get set }
    /// Whether more request bytes can be written now.
    var isWritable: Bool { get }
    func write(_ buffer: ByteBuffer)
    func flush()
    /// Turns reading of the response on or off (backpressure from the client).
    func setReading(_ on: Bool)
    /// Ends the exchange at once: a connection closes, a stream is reset.
    func close()
}
