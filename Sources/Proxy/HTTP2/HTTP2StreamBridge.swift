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
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case untilClose
        case done
    }

    let limits: HTTP1Limits
    private var request = RequestState.head
    private var response = ResponseState.head
    /// The request method: a HEAD response has no body whatever it says.
    private var method = "GET"
    /// Response bytes written before a whole head was there.
    private var pending: ByteBuffer?
    /// The last frame written: frames can wait for flow-control window
    /// long after they were written, so a write that makes no frame, and a
    /// close, wait for it rather than cut the stream short.
    private var lastWrite: EventLoopFuture<Void>?

    init(limits: HTTP1Limits) {
        self.limits = limits
    }

    // MARK: Request: frames to HTTP/1.1 bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            switch request {
            case .head:
                guard let head = HTTP2Translation.requestHead(headers.headers, endStream: headers.endStream) else {
                    reset(context, .protocolError)
                    return
                }
                method = head.method
                request = headers.endStream ? .done : .body(chunked: head.chunked)
                fire(context, head.bytes)
            case .body(let chunked):
                // Trailers end the body. A body framed by content-length has
                // nowhere to carry them in HTTP/1.1, so they are dropped then.
                request = .done
                if chunked { fire(context, Array("0\r\n".utf8) + HTTP2Translation.fieldLines(headers.headers) + Array("\r\n".utf8)) }
            case .done:
                break
            }
        case .data(let frame):
            guard case .body(let chunked) = request, case .byteBuffer(let bytes) = frame.data else { return }
            if frame.endStream { request = .done }
            guard chunked else {
                if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
                return
            }
            var out = context.channel.allocator.buffer(capacity: bytes.readableBytes + 32)
            if bytes.readableBytes > 0 {
                out.writeString(String(bytes.readableBytes, radix: 16) + "\r\n")
                out.writeImmutableBuffer(bytes)
                out.writeString("\r\n")
            }
            if frame.endStream { out.writeString("0\r\n\r\n") }
            if out.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(out)) }
        case .rstStream:
            context.close(promise: nil)
        default:
            break
        }
    }

    private func fire(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: bytes)))
    }

    private func reset(_ context: ChannelHandlerContext, _ code: HTTP2ErrorCode) {
        context.writeAndFlush(wrapOutboundOut(.rstStream(code)), promise: nil)
        context.close(promise: nil)
    }

    // MARK: Response: HTTP/1.1 bytes to frames

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var bytes = unwrapOutboundIn(data)
        if var earlier = pending {
            earlier.writeBuffer(&bytes)
            bytes = earlier
            pending = nil
        }
        var frames: [HTTP2Frame.FramePayload] = []
        do {
            try convert(&bytes, into: &frames)
        } catch {
            // The handler wrote something that is not HTTP/1.1: nothing sane can follow.
            promise?.fail(error)
            reset(context, .internalError)
            return
        }
        if case .head = response, bytes.readableBytes > 0 { pending = bytes }
        guard let last = frames.indices.last else {
            if let lastWrite { lastWrite.cascade(to: promise) } else { promise?.succeed() }
            return
        }
        for index in frames.indices where index != last {
            context.write(wrapOutboundOut(frames[index]), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(frames[last]), promise: written)
        lastWrite = written.futureResult
        written.futureResult.cascade(to: promise)
    }

    /// Turns as much of `bytes` as is complete into frames.
    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        while true {
            switch response {
            case .head:
                guard bytes.readableBytes > 0 else { return }
                let parser = ResponseHeadParser(limits: limits)
                let outcome = bytes.withUnsafeReadableBytes { raw in parser.parse(raw.bindMemory(to: UInt8.self), requestMethod: method) }
                switch outcome {
                case .incomplete:
                    return
                case .failure(let error):
                    throw error
                case .complete(let head):
                    bytes.moveReaderIndex(forwardBy: head.bytes.count)
                    let headers = HTTP2Translation.responseHeaders(head)
                    if head.isInformational {
                        frames.append(.headers(.init(headers: headers)))
                        continue
                    }
                    switch head.framing {
                    case .none, .contentLength(0): response = .done
                    case .contentLength(let length): response = .remaining(length)
                    case .chunked: response = .chunked(ChunkedDecoder(limits: limits))
                    case .untilClose: response = .untilClose
                    }
                    if case .done = response {
                        frames.append(.headers(.init(headers: headers, endStream: true)))
                        return
                    }
                    frames.append(.headers(.init(headers: headers)))
                }
            case .remaining(let remaining):
                let take = Int(min(remaining, UInt64(bytes.readableBytes)))
                guard take > 0, let slice = bytes.readSlice(length: take) else { return }
                let left = remaining - UInt64(take)
                frames.append(.data(.init(data: .byteBuffer(slice), endStream: left == 0)))
                response = left == 0 ? .done : .remaining(left)
                return
            case .chunked(var decoder):
                var ranges: [Range<Int>] = []
                let consumed = try bytes.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                    try decoder.decode(raw.bindMemory(to: UInt8.self)) { ranges.append($0) }
                }
                let base = bytes.readerIndex
                for range in ranges {
                    if let slice = bytes.getSlice(at: base + range.lowerBound, length: range.count) {
                        frames.append(.data(.init(data: .byteBuffer(slice))))
                    }
                }
                bytes.moveReaderIndex(forwardBy: consumed)
                guard decoder.isFinished else {
                    response = .chunked(decoder)
                    return
                }
                response = .done
                let trailers = HTTP2Translation.trailerFields(decoder.trailers)
                if trailers.isEmpty {
                    frames.append(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
                } else {
                    frames.append(.headers(.init(headers: trailers, endStream: true)))
                }
                return
            case .untilClose:
                if bytes.readableBytes > 0, let slice = bytes.readSlice(length: bytes.readableBytes) {
                    frames.append(.data(.init(data: .byteBuffer(slice))))
                }
                return
            case .done:
                // Nothing may follow a complete response on a stream.
                bytes.moveReaderIndex(to: bytes.writerIndex)
                return
            }
        }
    }

    /// The handler closes after its one exchange. A body delimited by the
    /// close ends with an empty END_STREAM frame; HTTP/1.1's lingering
    /// close (shut the output, keep reading) closes the whole stream: a
    /// reset tells an HTTP/2 client to stop sending what is not wanted.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if case .untilClose = response {
            response = .done
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: written)
            lastWrite = written.futureResult
        }
        // A complete response still waiting for window goes out first.
        guard case .done = response, let lastWrite else {
            context.close(mode: .all, promise: promise)
            return
        }
        lastWrite.assumeIsolated().whenComplete { _ in context.close(mode: .all, promise: promise) }
    }
}
