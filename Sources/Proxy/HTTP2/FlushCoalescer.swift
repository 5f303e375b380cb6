import NIOCore

// MARK: - FlushCoalescer

/// Holds an HTTP/2 connection's flushes until the event loop has handled
/// what it is doing now, then flushes once: the responses of many streams
/// that become ready in one pass of the loop (their backends answered in
/// the same wake-up) leave in one write instead of a system call each.
/// Netty's FlushConsolidationHandler does the same. The delay is the rest
/// of the current loop pass, microseconds; a connection's own read loop
/// already holds flushes until its read is complete.
final class FlushCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var scheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !scheduled else { return }
        scheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            scheduled = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // What was held goes out before the close.
        if scheduled { context.flush() }
        context.close(mode: mode, promise: promise)
    }
}
