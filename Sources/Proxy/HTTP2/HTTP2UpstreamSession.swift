import NIOCore
import NIOHPACK
import NIOHTTP2

// MARK: - HTTP2UpstreamSession

/// The last handler of an HTTP/2 connection to an endpoint: it opens the
/// streams attempts use (`HTTP2UpstreamStream`, no channel per stream) and
/// hands each its frames, the way `HTTP2ServerSession` serves a client's.
/// NIO's connection handler keeps the protocol's state and holds back
/// streams past the endpoint's SETTINGS_MAX_CONCURRENT_STREAMS until one
/// closes; this session tops up inbound windows as streams take their data
/// and counts what each has waiting to go out.
final class HTTP2UpstreamSession: ChannelInboundHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// The window the proxy announces per stream (`ConnectionPool.http2Settings`) and tops up to.
    static let streamWindow = 65_535
    let limits: HTTP1Limits
    let eventLoop: EventLoop
    let allocator = ByteBufferAllocator()
    /// Request bytes a stream may have waiting before it counts as unwritable.
    let highWater = 8192
    /// Told of streams opening and closing (the connection monitor).
    private let streamDelegate: NIOHTTP2StreamDelegate
    /// Called once when the endpoint says GOAWAY: the pool stops opening streams here.
    var onGoAway: (() -> Void)?
    private(set) var goingAway = false
    private(set) var isWritable = true
    private var context: ChannelHandlerContext?
    private var nextStreamID = HTTP2StreamID(1)
    private var streams: [HTTP2StreamID: HTTP2UpstreamStream] = [:]
    private var connectionWindow = InboundWindow(target: 65_535, left: 65_535)
    /// Where streams queue their frames, and flush.
    let writer = HTTP2FrameWriter()
    /// The header block request heads are written into, the strings of the
    /// last one, and the buffer response heads are written into: each is
    /// reused once what was made from it last has gone.
    private var headerBlock = HPACKHeaders()
    private var fieldStrings = FieldStrings()
    private var headBuffer: ByteBuffer?
    /// The arrays the request heads of streams are parsed into.
    var requestHeadStorage = HeadStorage()
    /// Streams whose exchange ended, kept to serve the next attempts.
    private var spareStreams: [HTTP2UpstreamStream] = []

    init(limits: HTTP1Limits, eventLoop: EventLoop, streamDelegate: NIOHTTP2StreamDelegate) {
        self.limits = limits
        self.eventLoop = eventLoop
        self.streamDelegate = streamDelegate
        writer.active = false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writer.attach(context)
        isWritable = context.channel.isWritable
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        writer.attach(nil)
    }

    /// The connection handler has sent its preface (it sits before this
    /// handler): what streams wrote before goes out now. A lease is handed
    /// out as the connect completes, which NIO reports before the
    /// connection's channelActive reaches the pipeline.
    func channelActive(context: ChannelHandlerContext) {
        writer.active = true
        context.fireChannelActive()
        writer.flush()
    }

    // MARK: Streams

    /// A stream for one attempt; it takes an id when its head goes out.
    /// One whose exchange ended serves again when nothing else holds it.
    func makeStream() -> HTTP2UpstreamStream {
        if var spare = spareStreams.popLast(), isKnownUniquelyReferenced(&spare), spare.reuse() { return spare }
        return HTTP2UpstreamStream(session: self)
    }

    /// Gives a stream whose head is about to go out the next id.
    func opened(_ stream: HTTP2UpstreamStream) -> HTTP2StreamID? {
        guard let context, !goingAway else {
            stream.refuse()
            stream.close()
            eventLoop.assumeIsolated().execute { stream.tellOwner() }
            return nil
        }
        let id = nextStreamID
        nextStreamID = HTTP2StreamID(Int32(id) + 2)
        streams[id] = stream
        streamDelegate.streamCreated(id, channel: context.channel)
        return id
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let closed as StreamClosedEvent:
            guard let stream = streams.removeValue(forKey: closed.streamID) else { return }
            streamDelegate.streamClosed(closed.streamID, channel: context.channel)
            stream.closedByConnection(reason: closed.reason)
            if spareStreams.count < 16 { spareStreams.append(stream) }
        case is NIOHTTP2StreamCreatedEvent:
            break
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onGoAway = nil
        let open = streams
        streams = [:]
        for (id, stream) in open {
            streamDelegate.streamClosed(id, channel: context.channel)
            stream.closedByConnection(reason: nil)
        }
        spareStreams = []
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIO's connection handler answered it: a stream error with a reset
        // (the stream's close event follows), a connection error with GOAWAY.
    }

    // MARK: Frames in

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers:
            streams[frame.streamID]?.receive(frame.payload)
        case .data(let data):
            let length = data.data.readableBytes + (data.paddingBytes.map { $0 + 1 } ?? 0)
            topUpConnectionWindow(used: length)
            streams[frame.streamID]?.receive(frame.payload, length: length)
        case .goAway(let lastStreamID, _, _):
            for (id, stream) in streams where id > lastStreamID { stream.refuse() }
            if !goingAway {
                goingAway = true
                onGoAway?()
                onGoAway = nil
            }
            context.fireChannelRead(data)
        default:
            if frame.streamID == .rootStream { context.fireChannelRead(data) }
        }
    }

    private func topUpConnectionWindow(used: Int) {
        connectionWindow.used(used)
        guard let increment = connectionWindow.increment() else { return }
        writer.enqueue(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment)))
        writer.flush()
    }

    // MARK: Frames out

    /// The header block for a request head the proxy rewrote (Host becomes
    /// :authority, hop-by-hop fields go, `te: trailers` is added: gRPC
    /// servers require it).
    func requestHeaders(_ head: RequestHead) -> HPACKHeaders {
        headerBlock.removeAll(keepingCapacity: true)
        headerBlock.reserveCapacity(head.fields.count + 5)
        headerBlock.add(name: ":method", value: head.method)
        headerBlock.add(name: ":scheme", value: "http")
        if let authority = head.authority { headerBlock.add(name: ":authority", value: authority) }
        headerBlock.add(name: ":path", value: head.method == "OPTIONS" && head.target == "*" ? "*" : head.target)
        for (index, field) in head.fields.enumerated() {
            switch field.kind {
            case .host, .connection, .keepAlive, .proxyConnection, .transferEncoding, .upgrade, .te, .http2Settings:
                continue
            default:
                headerBlock.add(name: fieldStrings.name(index, head.bytes[field.name]),
                                value: fieldStrings.value(index, head.bytes[field.value]))
            }
        }
        headerBlock.add(name: "te", value: "trailers")
        return headerBlock
    }

    /// The buffer a response head is written into, empty; `keep` gives it
    /// back once the head was passed on (its memory is reused when the
    /// attempt did not keep the bytes).
    func responseHeadBuffer() -> ByteBuffer {
        var buffer = headBuffer ?? allocator.buffer(capacity: 512)
        headBuffer = nil
        buffer.clear()
        return buffer
    }

    func keep(responseHeadBuffer buffer: ByteBuffer) {
        headBuffer = buffer
    }

    func wroteFrame(_ frame: HTTP2Frame) {
        guard frame.streamID != .rootStream else { return }
        streams[frame.streamID]?.wrote(frame.payload)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        for stream in streams.values { stream.owner?.backendWritabilityChanged(isWritable) }
        context.fireChannelWritabilityChanged()
    }
}
