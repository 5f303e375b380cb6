import NIOCore
import NIOPosix

// MARK: - UpgradeBackend

/// A backend that accepts any request with `101 Switching Protocols` and then
/// echoes every byte back: enough to check that upgrades are tunnelled.
final class UpgradeBackend: Sendable {
    let channel: Channel
    var port: Int { channel.localAddress!.port! }

    init(group: EventLoopGroup) async throws {
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UpgradeEcho()) }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

final class UpgradeEcho: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    var upgraded = false
    var pending = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if upgraded {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            return
        }
        pending.writeBuffer(&buffer)
        guard let text = pending.getString(at: pending.readerIndex, length: pending.readableBytes),
              let end = text.range(of: "\r\n\r\n") else { return }
        upgraded = true
        let headLength = text.utf8.distance(from: text.startIndex, to: end.upperBound)
        pending.moveReaderIndex(forwardBy: headLength)
        let reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        context.write(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        if pending.readableBytes > 0 { context.write(wrapOutboundOut(pending), promise: nil) }
        context.flush()
    }
}
