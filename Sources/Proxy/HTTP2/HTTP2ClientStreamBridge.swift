import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

// MARK: - HTTP2ClientStreamBridge

/// The endpoint side of HTTP/2 (`HTTP2ServerStream` is the client side):
/// sits on one stream (a child channel) of an HTTP/2 connection to an
/// endpoint, in front of the `BackendHandler` a pooled HTTP/1.1 connection
/// has, so the attempt code writes and reads HTTP/1.1 whichever protocol
/// the endpoint speaks.
///
/// Outbound, the HTTP/1.1 request head the proxy wrote is parsed with the
/// strict request parser and sent as a header block (Host as :authority,
/// `te: trailers` for gRPC servers, which require it), the body as DATA
/// frames, chunked trailers as a trailing HEADERS frame. Inbound, the
/// response becomes an HTTP/1.1 head, its DATA the body (chunked unless a
/// content-length says how long, so trailers such as grpc-status have a
/// place), and a RST_STREAM closes the stream like a reset connection.
final class HTTP2ClientStreamBridge: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    enum RequestState {
        case head
        case body(HTTP1BodyFrames)
    }

    enum ResponseState {
        case head
        case body(chunked: Bool)
        /// HEAD, 204 and 304 answers: DATA that still comes is not passed on.
        case bodiless
        case done
    }

    let limits: HTTP1Limits
    private var request = RequestState.head
    private var response = ResponseState.head
    private var method = "GET"
    private var outbox = FrameOutbox()

    init(limits: HTTP1Limits) {
        self.limits = limits
    }

    // MARK: Request: HTTP/1.1 bytes to frames

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let sent = outbox.write(unwrapOutboundIn(data), context: context, promise: promise) { bytes, frames in
            try convert(&bytes, into: &frames)
            if case .head = request { return true }
            return false
        }
        if !sent { context.close(promise: nil) }
    }

    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        if case .head = request {
            guard bytes.readableBytes > 0 else { return }
            let parser = RequestHeadParser(limits: limits)
            let outcome = bytes.withUnsafeReadableBytes { raw in parser.parse(raw.bindMemory(to: UInt8.self)) }
            switch outcome {
            case .incomplete:
                return
            case .failure(let error):
                throw error
            case .complete(let head):
                bytes.moveReaderIndex(forwardBy: head.consumed)
                method = head.method
                let headers = Self.requestHeaders(head)
                let body: HTTP1BodyFrames.Framing
                switch head.framing {
                case .none, .contentLength(0): body = .done
                case .contentLength(let length): body = .remaining(length)
                case .chunked: body = .chunked(ChunkedDecoder(limits: limits))
                }
                let requestBody = HTTP1BodyFrames(framing: body)
                request = .body(requestBody)
                frames.append(.headers(.init(headers: headers, endStream: requestBody.isDone)))
            }
        }
        guard case .body(var body) = request else { return }
        try body.convert(&bytes, into: &frames)
        request = .body(body)
    }

    /// The header block for a request head the proxy rewrote.
    static func requestHeaders(_ head: RequestHead) -> HPACKHeaders {
        var headers = HPACKHeaders()
        headers.reserveCapacity(head.fields.count + 5)
        headers.add(name: ":method", value: head.method)
        headers.add(name: ":scheme", value: "http")
        if let authority = head.authority { headers.add(name: ":authority", value: authority) }
        headers.add(name: ":path", value: head.method == "OPTIONS" && head.target == "*" ? "*" : head.target)
        for field in head.fields {
            switch field.kind {
            case .host, .connection, .keepAlive, .proxyConnection, .transferEncoding, .upgrade, .te, .http2Settings:
                continue
            default:
                let name = String(decoding: head.bytes[field.name], as: UTF8.self).lowercased()
                headers.add(name: name, value: head.value(field))
            }
        }
        headers.add(name: "te", value: "trailers")
        return headers
    }

    // MARK: Response: frames to HTTP/1.1 bytes

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            switch response {
            case .head:
                responseHead(context, frame.headers, endStream: frame.endStream)
            case .body(let chunked):
                response = .done
                if chunked {
                    let last = HTTP1BodyFrames.lastChunk(trailers: HTTP2Translation.fieldLines(frame.headers), allocator: context.channel.allocator)
                    context.fireChannelRead(wrapInboundOut(last))
                }
            case .bodiless:
                response = .done
            case .done:
                break
            }
        case .data(let frame):
            guard case .byteBuffer(let bytes) = frame.data else { return }
            switch response {
            case .body(let chunked):
                if frame.endStream { response = .done }
                if let body = HTTP1BodyFrames.body(bytes, chunked: chunked, last: frame.endStream, allocator: context.channel.allocator) {
                    context.fireChannelRead(wrapInboundOut(body))
                }
            case .bodiless:
                if frame.endStream { response = .done }
            case .head, .done:
                break
            }
        case .rstStream:
            context.close(promise: nil)
        default:
            break
        }
    }

    private func responseHead(_ context: ChannelHandlerContext, _ headers: HPACKHeaders, endStream: Bool) {
        guard let statusText = headers.first(name: ":status"), let status = Int(statusText) else {
            context.close(promise: nil)
            return
        }
        var bytes = Array("HTTP/1.1 \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n".utf8)
        var hasLength = false
        for (name, value, _) in headers where !name.hasPrefix(":") {
            if name == "content-length" { hasLength = true }
            bytes += HTTP2Translation.line(name, value)
        }
        let informational = (100..<200).contains(status)
        let bodiless = method == "HEAD" || status == 204 || status == 304
        if informational {
            // 100 Continue and friends: the final head follows.
        } else if bodiless {
            response = endStream ? .done : .bodiless
        } else if endStream {
            if !hasLength { bytes += HTTP2Translation.line("content-length", "0") }
            response = .done
        } else if hasLength {
            response = .body(chunked: false)
        } else {
            bytes += HTTP2Translation.line("transfer-encoding", "chunked")
            response = .body(chunked: true)
        }
        fire(context, bytes + [13, 10])
    }

    private func fire(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: bytes)))
    }
}
