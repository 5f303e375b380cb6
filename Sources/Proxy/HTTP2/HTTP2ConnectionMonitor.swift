import NIOCore
import NIOHTTP2

// MARK: - HTTP2ConnectionMonitor

/// Watches an HTTP/2 connection (to an endpoint or from a client) so that
/// the loop's sweeper can tell when it is no longer worth keeping: unused
/// for the idle time, or a PING left unanswered. A peer gone behind a
/// half-open socket would otherwise hold every stream on it until each
/// request's deadline. The handlers only note what they see; the sweeper
/// calls `check`, so there is no timer per connection.
///
/// PINGs go out only while streams are open and the connection has been
/// silent for the keepalive interval: an unused connection is closed by its
/// idle time instead, and gRPC servers answer PINGs more often than every
/// 5 minutes without data with GOAWAY (`too_many_pings`).
final class HTTP2ConnectionMonitor: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    /// What `check` asks the connection to do.
    enum Verdict: Equatable {
        case keep
        /// No stream for the idle time: say GOAWAY and close.
        case idle
        /// Silent for the keepalive interval with streams open: send this PING.
        case ping(HTTP2PingData)
        /// The PING went unanswered: the peer is gone.
        case unresponsive
    }

    /// The longest a PING may wait for its answer.
    static let maxAckTimeout = TimeAmount.seconds(20)

    fileprivate(set) var openStreams = 0
    /// The last time a stream opened or closed, or one was about to be.
    fileprivate var lastUse: NIODeadline
    /// The last time bytes arrived (noted by `ReadClock`, ahead of the frame decoder).
    fileprivate var lastRead: NIODeadline
    /// The PING waiting for its answer, and when it went out.
    private var pingSent: (data: HTTP2PingData, at: NIODeadline)?
    private var pings: UInt64 = 0

    init(now: NIODeadline = .now()) {
        lastUse = now
        lastRead = now
    }

    /// The handler that notes when bytes arrive: it goes first in the
    /// pipeline, since frames of streams never reach this one.
    var readClock: ReadClock { ReadClock(self) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .ping(let ping, ack: true) = unwrapInboundIn(data).payload, ping == pingSent?.data { pingSent = nil }
        context.fireChannelRead(data)
    }

    /// Tells the monitor (and `also`, such as NIO's connection manager) of
    /// streams opening and closing: the session serving the connection's
    /// streams calls it, for the streams it serves.
    func streamDelegate(eventLoop: EventLoop, also other: NIOHTTP2StreamDelegate? = nil) -> NIOHTTP2StreamDelegate {
        StreamDelegate(monitor: NIOLoopBound(self, eventLoop: eventLoop), other: other)
    }

    struct StreamDelegate: NIOHTTP2StreamDelegate {
        let monitor: NIOLoopBound<HTTP2ConnectionMonitor>
        let other: NIOHTTP2StreamDelegate?

        func streamCreated(_ id: HTTP2StreamID, channel: Channel) {
            monitor.value.openStreams += 1
            monitor.value.lastUse = .now()
            other?.streamCreated(id, channel: channel)
        }

        func streamClosed(_ id: HTTP2StreamID, channel: Channel) {
            monitor.value.openStreams = max(0, monitor.value.openStreams - 1)
            monitor.value.lastUse = .now()
            other?.streamClosed(id, channel: channel)
        }
    }

    /// A stream is about to be opened (its HEADERS are not written yet).
    func leased(now: NIODeadline = .now()) {
        lastUse = now
    }

    /// What the connection needs at `now`; nil `idleTimeout`: someone else
    /// closes it when idle.
    func check(now: NIODeadline, idleTimeout: TimeAmount?, keepalive: TimeAmount) -> Verdict {
        if let sent = pingSent {
            return now - sent.at >= min(keepalive, Self.maxAckTimeout) ? .unresponsive : .keep
        }
        if openStreams == 0 {
            if let idleTimeout, now - lastUse >= idleTimeout { return .idle }
            return .keep
        }
        guard now - lastRead >= keepalive else { return .keep }
        pings &+= 1
        let data = HTTP2PingData(withInteger: pings)
        pingSent = (data, now)
        return .ping(data)
    }

    /// Sends the PING a `.ping` verdict carries.
    static func sendPing(_ data: HTTP2PingData, on channel: Channel) {
        channel.writeAndFlush(HTTP2Frame(streamID: .rootStream, payload: .ping(data, ack: false)), promise: nil)
    }

    // MARK: ReadClock

    /// Notes the time of every read for its monitor, and passes it on.
    final class ReadClock: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        private let monitor: HTTP2ConnectionMonitor

        fileprivate init(_ monitor: HTTP2ConnectionMonitor) {
            self.monitor = monitor
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            monitor.lastRead = .now()
            context.fireChannelRead(data)
        }
    }
}
