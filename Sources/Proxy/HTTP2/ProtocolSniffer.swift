import NIOCore
import RouteLang
import NIOHTTP2

// MARK: - ProtocolSniffer

/// The first handler on a client connection: tells HTTP/1.1 from h2c with
/// prior knowledge by the connection preface (RFC 9113 section 3.4), then
/// sets the pipeline up for that protocol and steps aside.
///
/// An HTTP/1.1 request can never start like the preface (`PRI` is reserved
/// for it), so the first bytes that differ from the preface decide, usually
/// the first byte of the first read. A connection that sends nothing
/// decisive within the header read timeout is closed, as an HTTP/1.1 one
/// without a head would be.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Verdict {
        case http1
        case http2
        case undecided
    }

    let runtime: LoopRuntime
    let listener: ListenerConfig
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?

    init(runtime: LoopRuntime, listener: ListenerConfig) {
        self.runtime = runtime
        self.listener = listener
    }

    // MARK: Events

    /// Counts the connection open until it closes, whichever protocol it speaks.
    func handlerAdded(context: ChannelHandlerContext) {
        let counters = runtime.metrics.listener(listener.address.description)
        counters.accepted += 1
        counters.open += 1
        context.channel.closeFuture.assumeIsolated().whenComplete { _ in counters.open -= 1 }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: runtime.options.headerReadTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if received == nil { received = buffer } else { received!.writeBuffer(&buffer) }
        let verdict = received!.withUnsafeReadableBytes { Self.verdict(Array($0.prefix(Self.preface.count))) }
        switch verdict {
        case .undecided:
            return
        case .http1:
            do {
                try context.pipeline.syncOperations.addHandler(ProxyConnection(runtime: runtime, listener: listener),
                                                               position: .after(self))
            } catch {
                context.close(promise: nil)
                return
            }
        case .http2:
            do {
                try HTTP2Listener.configure(context.channel, runtime: runtime, listener: listener)
            } catch {
                context.close(promise: nil)
                return
            }
        }
        let bytes = received!
        received = nil
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    // MARK: Deciding

    /// HTTP/2 once the whole preface matched; HTTP/1.1 as soon as a byte differs.
    static func verdict(_ bytes: [UInt8]) -> Verdict {
        for (have, want) in zip(bytes, preface) where have != want { return .http1 }
        return bytes.count >= preface.count ? .http2 : .undecided
    }
}
