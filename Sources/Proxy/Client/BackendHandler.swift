import NIOCore

// MARK: - BackendHandler

/// The handler on a backend (upstream) connection. It hands every event to
/// the exchange currently using the connection; a pooled idle connection
/// has no owner, and anything it receives means it is no longer usable.
final class BackendHandler: ChannelInboundHandler, BackendLink {
    typealias InboundIn = ByteBuffer

    /// The client connection using this backend now (same event loop).
    /// Strong, and cleared whenever an attempt lets the connection go (to
    /// the pool, closed, or on the client's close): a weak reference would
    /// cost each client object a side table, one allocation per HTTP/2
    /// stream. A connection that closes drops its handler, and this with it.
    var owner: ProxyConnection?
    /// Called when an idle pooled connection closes or misbehaves.
    var onIdleClose: (() -> Void)?
    /// The connection's context while the handler is in its pipeline: the
    /// request path writes and flushes through it, without the event-loop
    /// check and the walk from the pipeline's tail of `Channel.write`.
    private var context: ChannelHandlerContext?
    /// Whether reading is paused (autoRead off): turning it on when it is
    /// on (every release to the pool) then costs nothing.
    private var paused = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: The request path's side

    func write(_ buffer: ByteBuffer) {
        context?.write(NIOAny(buffer), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Turns reading on or off.
    func setReading(_ on: Bool) {
        guard let context, paused == on else { return }
        paused = !on
        try? context.channel.syncOptions?.setOption(.autoRead, value: on)
    }

    var isWritable: Bool {
        context?.channel.isWritable ?? false
    }

    func close() {
        context?.close(promise: nil)
    }

    // MARK: Events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let owner {
            owner.backendRead(buffer)
        } else {
            // Bytes on an idle connection: the backend is out of step; drop it.
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let owner {
            owner.backendClosed()
        } else {
            onIdleClose?()
        }
        owner = nil
        onIdleClose = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        owner?.backendWritabilityChanged(context.channel.isWritable)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
