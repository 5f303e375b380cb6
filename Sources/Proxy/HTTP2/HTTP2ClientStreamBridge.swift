import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

// MARK: - HTTP2ClientStreamBridge

/// The other half of `HTTP2StreamBridge`: sits on one stream of an HTTP/2
/// connection to an endpoint, in front of the `BackendHandler` a pooled
/// HTTP/1.1 connection has, so the attempt code writes and reads HTTP/1.1
/// whichever protocol the endpoint speaks.
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
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case done
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
    private var pending: ByteBuffer?

    init(limits: HTTP1Limits) {
        self.limits = limits
    }

    // MARK: Request: HTTP/1.1 bytes to frames

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
            promise?.fail(error)
            context.close(promise: nil)
            return
        }
        if case .head = request, bytes.readableBytes > 0 { pending = bytes }
        guard let last = frames.indices.last else {
            promise?.succeed()
            return
        }
        for index in frames.indices {
            context.write(wrapOutboundOut(frames[index]), promise: index == last ? promise : nil)
        }
    }

    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        while true {
            switch request {
            case .head:
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
                    switch head.framing {
                    case .none, .contentLength(0):
                        request = .done
                        frames.append(.headers(.init(headers: headers, endStream: true)))
                        return
                    case .contentLength(let length): request = .remaining(length)
                    case .chunked: request = .chunked(ChunkedDecoder(limits: limits))
                    }
                    frames.append(.headers(.init(headers: headers)))
                }
            case .remaining(let remaining):
                let take = Int(min(remaining, UInt64(bytes.readableBytes)))
                guard take > 0, let slice = bytes.readSlice(length: take) else { return }
                let left = remaining - UInt64(take)
                frames.append(.data(.init(data: .byteBuffer(slice), endStream: left == 0)))
                request = left == 0 ? .done : .remaining(left)
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
                    request = .chunked(decoder)
                    return
                }
                request = .done
                let trailers = HTTP2Translation.trailerFields(decoder.trailers)
                if trailers.isEmpty {
                    frames.append(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true)))
                } else {
                    frames.append(.headers(.init(headers: trailers, endStream: true)))
                }
                return
            case .done:
                bytes.moveReaderIndex(to: bytes.writerIndex)
                return
            }
        }
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
                if chunked { fire(context, Array("0\r\n".utf8) + HTTP2Translation.fieldLines(frame.headers) + Array("\r\n".utf8)) }
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
