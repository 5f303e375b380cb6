import NIOCore

// MARK: - BackendHandler

/// The handler on a backend (upstream) connection. It hands every event to
/// the exchange currently using the connection; a pooled idle connection
/// has no owner, and anything it receives means it is no longer usable.
final class BackendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// The client connection using this backend now (same event loop).
    weak var owner: ProxyConnection?
    /// Called when an idle pooled connection closes or misbehaves.
    var onIdleClose: (() -> Void)?

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
