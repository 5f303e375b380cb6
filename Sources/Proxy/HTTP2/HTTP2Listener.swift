import NIOCore
import RouteLang
import NIOHTTP2

// MARK: - HTTP2Listener

/// The HTTP/2 side of a listener: the connection handler with its limits,
/// and the session that hands every stream to the same `ProxyConnection`
/// (and so the same `RequestMachine`) as HTTP/1.1.
enum HTTP2Listener {
    /// Settings the proxy announces: streams a client may open at once, the
    /// largest header list it accepts (the HTTP/1.1 head limit), and the
    /// flow-control window each stream starts with (`limits { h2-… }`).
    static func settings(_ options: ProxyOptions) -> HTTP2Settings {
        [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: options.http2MaxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: options.limits.maxHeadBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: options.http2StreamWindow),
        ]
    }

    /// Adds the HTTP/2 connection handler and the session that serves its
    /// streams to a client connection whose preface was seen (behind the
    /// sniffer, which leaves).
    static func configure(_ channel: Channel, runtime: LoopRuntime, listener: ListenerConfig) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = settings(runtime.options)
        // Graceful close (GOAWAY, then the streams under way finish) on a
        // drain and after `h2-idle-timeout` without a stream. Its own
        // keepalive is not used: it ends an unresponsive connection with a
        // graceful close that waits for the very PING answer that never comes.
        let manager = NIOHTTP2ServerConnectionManagementHandler(eventLoop: channel.eventLoop, configuration: .init(
            maxIdleTime: runtime.options.http2IdleTimeout, maxAge: nil, maxGraceTime: nil, keepalive: nil))
        let monitor = HTTP2ConnectionMonitor()
        let tally = runtime.metrics.listener(listener.address.description)
        tally.http2Connections += 1
        let session = HTTP2ServerSession(runtime: runtime, listener: listener, tally: tally,
                                         clientAddress: channel.remoteAddress?.ipAddress,
                                         streamDelegate: monitor.streamDelegate(eventLoop: channel.eventLoop,
                                                                                also: manager.http2StreamDelegate))
        // No stream multiplexer: the session takes every stream's frames.
        let http2 = NIOHTTP2Handler(mode: .server, frameDelegate: session, connectionConfiguration: connection)
        let closer = ConnectionErrorCloser(metrics: runtime.metrics.metrics)
        // On the bytes, before the connection handler and so behind TLS when
        // there is TLS: GOAWAY frames must be seen before they are encrypted.
        // The session passes on the connection's own frames and events.
        let handlers: [ChannelHandler] = [closer, monitor.readClock, FlushCoalescer(), http2, session, manager, monitor]
        try channel.pipeline.syncOperations.addHandlers(handlers)
        track(channel, monitor, in: runtime)
    }

    /// Keeps the connection in the loop's list while it is open, so that a
    /// drain can tell it to go away and wait for it, and the sweeper can
    /// PING it while streams wait on a silent client.
    private static func track(_ channel: Channel, _ monitor: HTTP2ConnectionMonitor, in runtime: LoopRuntime) {
        let id = ObjectIdentifier(channel)
        runtime.http2Connections[id] = (channel, monitor)
        if runtime.draining { quiesce(channel) }
        let loopRuntime = NIOLoopBound(runtime, eventLoop: channel.eventLoop)
        channel.closeFuture.whenComplete { _ in loopRuntime.value.http2Connections[id] = nil }
    }

    /// GOAWAY, then close once the streams under way are done.
    static func quiesce(_ channel: Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}

// MARK: - ConnectionErrorCloser

/// Closes an HTTP/2 connection once the connection handler has sent a
/// GOAWAY with an error code: it does so for a connection error
/// (PROTOCOL_ERROR, FLOW_CONTROL_ERROR, ENHANCE_YOUR_CALM for floods and
/// rapid resets) but leaves the socket open, and a flooding client must not
/// keep it. It watches the encoded frames on their way to the socket, as the
/// connection handler reports connection and stream errors alike.
final class ConnectionErrorCloser: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// GOAWAY's frame type (RFC 9113 section 6.8).
    static let goAway: UInt8 = 0x7
    /// Where the closes are counted (`http2_closed{peer="client",reason="protocol-error"}`).
    let metrics: ProxyMetrics

    init(metrics: ProxyMetrics) {
        self.metrics = metrics
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard Self.isErrorGoAway(unwrapOutboundIn(data)) else {
            context.write(data, promise: promise)
            return
        }
        context.writeAndFlush(data, promise: promise)
        context.close(promise: nil)
        metrics.http2Closed(peer: "client", reason: "protocol-error").increment()
    }

    /// A buffer holding one GOAWAY frame (9-byte header, last stream id,
    /// error code) whose error code is not NO_ERROR.
    static func isErrorGoAway(_ buffer: ByteBuffer) -> Bool {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= 17, buffer.getInteger(at: start + 3, as: UInt8.self) == goAway,
              buffer.getInteger(at: start + 5, as: UInt32.self) == 0,
              let code = buffer.getInteger(at: start + 13, as: UInt32.self) else { return false }
        return code != 0
    }
}
