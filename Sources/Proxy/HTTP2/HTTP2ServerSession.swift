import NIOCore
import NIOHPACK
import NIOHTTP2
import RouteLang

// MARK: - HTTP2ServerSession

/// The last handler of a client's HTTP/2 connection: it takes the frames
/// of every stream from NIO's connection handler (which keeps the protocol's
/// state, HPACK, flow-control accounting and the flood defences) and hands
/// each stream to an `HTTP2ServerStream` with its own `ProxyConnection`,
/// so an HTTP/2 request takes exactly the request path an HTTP/1.1 one
/// does. There is no channel per stream: a stream costs two objects, not
/// a channel, its pipeline, two handlers, their contexts and futures.
///
/// What the per-stream channels did is done here: the inbound windows are
/// topped up as streams take their data (the connection's as frames
/// arrive), and writability per stream follows the response bytes not yet
/// passed to the socket (`wroteFrame`, the connection handler's delegate).
/// Streams write frames through an `HTTP2FrameWriter`.
final class HTTP2ServerSession: ChannelInboundHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let runtime: LoopRuntime
    let listener: ListenerConfig
    let tally: ListenerTally
    let clientAddress: String?
    /// Told of the streams this session serves (the connection monitor and
    /// NIO's connection manager, which count them for idle and drain).
    private let streamDelegate: NIOHTTP2StreamDelegate
    let allocator = ByteBufferAllocator()
    /// The window each stream starts with and is topped up to (`limits { h2-stream-window }`).
    let streamWindow: Int
    /// Response bytes a stream may have waiting before it counts as unwritable.
    let highWater = 8192
    /// What the client may still send on the connection (65,535 until the first WINDOW_UPDATE).
    private var connectionWindow: InboundWindow
    /// Where streams queue their frames, and flush.
    let writer = HTTP2FrameWriter()
    private var context: ChannelHandlerContext?
    private(set) var isWritable = true
    private var streams: [HTTP2StreamID: HTTP2ServerStream] = [:]
    /// Closed streams kept to serve the next ones (`HTTP2ServerStream.reopen`).
    private var spareStreams: [HTTP2ServerStream] = []
    private static let spareLimit = 16
    /// The header block response heads are written into, and the strings
    /// of the last one (`HTTP2Translation.responseHeaders`).
    private var headerBlock = HPACKHeaders()
    private var fieldStrings = FieldStrings()

    init(runtime: LoopRuntime, listener: ListenerConfig, tally: ListenerTally, clientAddress: String?,
         streamDelegate: NIOHTTP2StreamDelegate) {
        self.runtime = runtime
        self.streamDelegate = streamDelegate
        self.listener = listener
        self.tally = tally
        self.clientAddress = clientAddress
        streamWindow = runtime.options.http2StreamWindow
        connectionWindow = InboundWindow(target: max(runtime.options.http2StreamWindow, 65_535), left: 65_535)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writer.attach(context)
        isWritable = context.channel.isWritable
    }

    // MARK: Frames in

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers:
            if let stream = streams[frame.streamID] {
                stream.receive(frame.payload)
            } else {
                open(frame.streamID, frame.payload)
            }
        case .data(let data):
            // Padding counts against the windows too (RFC 9113 section 6.1).
            let length = data.data.readableBytes + (data.paddingBytes.map { $0 + 1 } ?? 0)
            topUpConnectionWindow(used: length)
            streams[frame.streamID]?.receive(frame.payload, length: length)
        default:
            // RST_STREAM closes the stream (below); SETTINGS, PING and
            // GOAWAY are for the handlers that follow.
            if frame.streamID == .rootStream { context.fireChannelRead(data) }
        }
    }

    /// A new stream (a closed one reopened when it can be), then its header block.
    private func open(_ id: HTTP2StreamID, _ headers: HTTP2Frame.FramePayload) {
        let stream: HTTP2ServerStream
        if var spare = spareStreams.popLast(), isKnownUniquelyReferenced(&spare), spare.reopen(as: id) {
            stream = spare
        } else {
            stream = HTTP2ServerStream(id: id, session: self)
        }
        streams[id] = stream
        if let context { streamDelegate.streamCreated(id, channel: context.channel) }
        tally.http2Streams += 1
        stream.receive(headers)
    }

    /// The connection window is topped up as frames arrive: each stream's
    /// own window is what bounds what waits here.
    private func topUpConnectionWindow(used: Int) {
        connectionWindow.used(used)
        guard let increment = connectionWindow.increment() else { return }
        writer.enqueue(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment)))
        writer.flush()
    }

    /// Streams opening and closing are this session's to tell: NIO also
    /// reports streams that never reached it (refused for a malformed
    /// header block), which the connection manager must not count.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let closed as StreamClosedEvent:
            if let stream = streams.removeValue(forKey: closed.streamID) { streamClosed(stream) }
        case is NIOHTTP2StreamCreatedEvent:
            break
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func streamClosed(_ stream: HTTP2ServerStream) {
        if let context { streamDelegate.streamClosed(stream.id, channel: context.channel) }
        stream.closedByConnection()
        if spareStreams.count < Self.spareLimit { spareStreams.append(stream) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let open = streams.values
        streams = [:]
        for stream in open { streamClosed(stream) }
        spareStreams = []
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        writer.attach(nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Stream errors were answered with RST_STREAM by the connection
        // handler, and connection errors with GOAWAY (`ConnectionErrorCloser`
        // then closes): nothing is left to do here.
        runtime.logger.debug("HTTP/2 client connection error", metadata: ["error": "\(error)"])
    }

    // MARK: Frames out

    /// A response head as a header block.
    func responseHeaders(_ head: ResponseHead) -> HPACKHeaders {
        HTTP2Translation.responseHeaders(head, into: &headerBlock, strings: &fieldStrings)
        return headerBlock
    }

    /// Called by the connection handler for every frame it passes to the socket.
    func wroteFrame(_ frame: HTTP2Frame) {
        guard frame.streamID != .rootStream else { return }
        streams[frame.streamID]?.wrote(frame.payload)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        for stream in streams.values { stream.connection.updateBackendReading() }
        context.fireChannelWritabilityChanged()
    }
}
