import NIOCore
import NIOHPACK
import NIOHTTP2

// MARK: - HTTP2StreamBridge

/// Sits between one HTTP/2 stream and a `ProxyConnection`, so an HTTP/2
/// request goes through exactly the request path HTTP/1.1 requests take
/// (routing, the `RequestMachine`, balancing, retries, accrual, deadlines,
/// metrics, tracing) instead of a second copy of it.
///
/// Inbound, the request's header block becomes an HTTP/1.1 head and its
/// DATA frames the body (chunked when the request has no content-length,
/// with its trailers). The head says `connection: close`, so the
/// connection handler serves one exchange and then closes the stream.
/// Outbound, the HTTP/1.1 response the handler writes is parsed with the
/// same strict parser used on backends and sent as HEADERS and DATA
/// frames, chunked trailers as a trailing HEADERS frame. Flow control
/// works through the stream channel: its writability and autoRead are
/// what the handler's backpressure already reads and sets.
final class HTTP2StreamBridge: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    enum RequestState {
        case head
        case body(chunked: Bool)
        case done
    }

    enum ResponseState {
        case head
        case body(HTTP1BodyFrames)
    }

    let limits: HTTP1Limits
    /// The stream's loop, which lends the arrays response heads are parsed
    /// into (a stream serves one exchange, its connection many).
    private let runtime: LoopRuntime
    private var headStorage: HeadStorage
    /// The buffer the request head is written into, lent by the loop too.
    private var requestHeadBuffer: ByteBuffer?
    private var request = RequestState.head
    private var response = ResponseState.head
    /// The request method: a HEAD response has no body whatever it says.
    private var method = "GET"
    /// Response bytes on their way out as frames.
    private var outbox = FrameOutbox()

    init(runtime: LoopRuntime) {
        self.runtime = runtime
        limits = runtime.options.limits
        headStorage = runtime.spareResponseHeads.popLast() ?? HeadStorage()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        runtime.keepSpares(responseHead: headStorage, headBuffer: requestHeadBuffer)
        headStorage = HeadStorage()
        requestHeadBuffer = nil
    }

    // MARK: Request: frames to HTTP/1.1 bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            switch request {
            case .head:
                // The handler copies the head out of it; it goes back to the loop when the stream ends.
                var buffer = runtime.spareHeadBuffers.popLast() ?? context.channel.allocator.buffer(capacity: 0)
                defer { requestHeadBuffer = buffer }
                guard let head = HTTP2Translation.requestHead(headers.headers, endStream: headers.endStream, into: &buffer) else {
                    reset(context, .protocolError)
                    return
                }
                method = head.method
                request = headers.endStream ? .done : .body(chunked: head.chunked)
                context.fireChannelRead(wrapInboundOut(head.bytes))
            case .body(let chunked):
                // Trailers end the body. A body framed by content-length has
                // nowhere to carry them in HTTP/1.1, so they are dropped then.
                request = .done
                if chunked {
                    let last = HTTP1BodyFrames.lastChunk(trailers: HTTP2Translation.fieldLines(headers.headers), allocator: context.channel.allocator)
                    context.fireChannelRead(wrapInboundOut(last))
                }
            case .done:
                break
            }
        case .data(let frame):
            guard case .body(let chunked) = request, case .byteBuffer(let bytes) = frame.data else { return }
            if frame.endStream { request = .done }
            if let body = HTTP1BodyFrames.body(bytes, chunked: chunked, last: frame.endStream, allocator: context.channel.allocator) {
                context.fireChannelRead(wrapInboundOut(body))
            }
        case .rstStream:
            context.close(promise: nil)
        default:
            break
        }
    }

    private func reset(_ context: ChannelHandlerContext, _ code: HTTP2ErrorCode) {
        context.writeAndFlush(wrapOutboundOut(.rstStream(code)), promise: nil)
        context.close(promise: nil)
    }

    // MARK: Response: HTTP/1.1 bytes to frames

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let sent = outbox.write(unwrapOutboundIn(data), context: context, promise: promise) { bytes, frames in
            try convert(&bytes, into: &frames)
            if case .head = response { return true }
            return false
        }
        // The handler wrote something that is not HTTP/1.1: nothing sane can follow.
        if !sent { reset(context, .internalError) }
    }

    /// Turns as much of `bytes` as is complete into frames.
    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        while case .head = response {
            guard bytes.readableBytes > 0 else { return }
            let parser = ResponseHeadParser(limits: limits)
            let outcome = bytes.withUnsafeReadableBytes { raw in
                parser.parse(raw.bindMemory(to: UInt8.self), requestMethod: method, storage: &headStorage)
            }
            switch outcome {
            case .incomplete:
                return
            case .failure(let error):
                throw error
            case .complete(let head):
                bytes.moveReaderIndex(forwardBy: head.bytes.count)
                let headers = HTTP2Translation.responseHeaders(head)
                headStorage.recycle(bytes: head.bytes, fields: head.fields)
                // 100 Continue and friends: the final head follows.
                if head.isInformational {
                    frames.append(.headers(.init(headers: headers)))
                    continue
                }
                let body: HTTP1BodyFrames.Framing
                switch head.framing {
                case .none, .contentLength(0): body = .done
                case .contentLength(let length): body = .remaining(length)
                case .chunked: body = .chunked(ChunkedDecoder(limits: limits))
                case .untilClose: body = .untilClose
                }
                response = .body(HTTP1BodyFrames(framing: body))
                if case .done = body {
                    frames.append(.headers(.init(headers: headers, endStream: true)))
                    return
                }
                frames.append(.headers(.init(headers: headers)))
            }
        }
        guard case .body(var body) = response else { return }
        try body.convert(&bytes, into: &frames)
        response = .body(body)
    }

    /// The handler closes after its one exchange. A body delimited by the
    /// close ends with an empty END_STREAM frame; HTTP/1.1's lingering
    /// close (shut the output, keep reading) closes the whole stream: a
    /// reset tells an HTTP/2 client to stop sending what is not wanted.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if case .body(let body) = response, case .untilClose = body.framing {
            response = .body(HTTP1BodyFrames(framing: .done))
            outbox.send([HTTP1BodyFrames.endOfStream], context: context, promise: nil)
            context.flush()
        }
        // A complete response still waiting for window goes out first.
        guard case .body(let body) = response, body.isDone, let lastWrite = outbox.lastWrite else {
            context.close(mode: .all, promise: promise)
            return
        }
        lastWrite.assumeIsolated().whenComplete { _ in context.close(mode: .all, promise: promise) }
    }
}
