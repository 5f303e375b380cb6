import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

// MARK: - HTTP2UpstreamStream

/// One stream of an HTTP/2 connection to an endpoint, served without a
/// channel of its own (`HTTP2UpstreamSession` hands it its frames): the
/// attempt code writes and reads HTTP/1.1 through it as through a pooled
/// HTTP/1.1 connection, whichever protocol the endpoint speaks.
///
/// Outbound, the HTTP/1.1 request head the proxy wrote is parsed with the
/// strict request parser and sent as a header block (Host as :authority,
/// `te: trailers` for gRPC servers, which require it), the body as DATA
/// frames, chunked trailers as a trailing HEADERS frame. The stream id is
/// taken when the head goes out, so ids rise in the order heads are sent.
/// Inbound, the response becomes an HTTP/1.1 head, its DATA the body
/// (chunked unless a content-length says how long, so trailers such as
/// grpc-status have a place), and a reset ends it like a closed connection.
final class HTTP2UpstreamStream: BackendLink {
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

    unowned let session: HTTP2UpstreamSession
    /// Set when the request head goes out.
    private(set) var id: HTTP2StreamID?
    var owner: ProxyConnection?
    private var request = RequestState.head
    private var response = ResponseState.head
    private var method = "GET"

    // MARK: Flow-control state

    /// What the endpoint may still send before the next WINDOW_UPDATE.
    private var window = InboundWindow(target: HTTP2UpstreamSession.streamWindow, left: HTTP2UpstreamSession.streamWindow)
    /// Frames received while reading is paused.
    private var held = HeldFrames()
    /// The request as written: what waits for a whole head, what waits for the socket.
    private var output = StreamOutput()
    /// Whether the endpoint's END_STREAM arrived.
    private var endpointEnded = false
    /// Reset or let go: nothing more is written or passed on.
    private(set) var closed = false
    /// NIO's connection handler closed the stream: it can serve again.
    private var finished = false
    /// The endpoint never took the request (a GOAWAY below its id).
    private var refused = false
    /// Response body bytes still to come when a content-length said how
    /// many: at 0 the answer is whole though END_STREAM may follow alone.
    private var bodyLeft: UInt64?

    init(session: HTTP2UpstreamSession) {
        self.session = session
    }

    /// Makes a stream whose exchange ended (its close event passed, and no
    /// attempt holds it: the session checked it is the only holder) ready
    /// for the next attempt; false when it is not done yet.
    func reuse() -> Bool {
        guard finished, owner == nil else { return false }
        id = nil
        request = .head
        response = .head
        window = InboundWindow(target: HTTP2UpstreamSession.streamWindow, left: HTTP2UpstreamSession.streamWindow)
        held.reset()
        output = StreamOutput()
        endpointEnded = false
        closed = false
        finished = false
        refused = false
        bodyLeft = nil
        return true
    }

    // MARK: Request: the attempt's bytes to frames

    var isWritable: Bool {
        !closed && session.isWritable && output.buffered < session.highWater
    }

    func write(_ bytes: ByteBuffer) {
        guard !closed else { return }
        var bytes = output.joined(bytes)
        var frames = session.writer.takeScratch()
        defer { session.writer.returnScratch(&frames) }
        do {
            try convert(&bytes, into: &frames)
        } catch {
            // Not an HTTP/1.1 request: the attempt fails like a reset
            // connection (told after this write returns).
            close()
            session.eventLoop.assumeIsolated().execute { self.tellOwner() }
            return
        }
        if case .head = request, bytes.readableBytes > 0 { output.pending = bytes }
        guard !frames.isEmpty else { return }
        if id == nil { id = session.opened(self) }
        guard let id else { return }
        for payload in frames {
            output.writing(payload)
            session.writer.enqueue(HTTP2Frame(streamID: id, payload: payload))
        }
    }

    func flush() {
        session.writer.flush()
    }

    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        if case .head = request {
            guard bytes.readableBytes > 0 else { return }
            let parser = RequestHeadParser(limits: session.limits)
            let outcome = bytes.withUnsafeReadableBytes { raw in
                parser.parse(raw.bindMemory(to: UInt8.self), storage: &session.requestHeadStorage)
            }
            switch outcome {
            case .incomplete:
                return
            case .failure(let error):
                throw error
            case .complete(let head):
                bytes.moveReaderIndex(forwardBy: head.consumed)
                method = head.method
                let headers = session.requestHeaders(head)
                session.requestHeadStorage.recycle(bytes: head.bytes, fields: head.fields)
                let body: HTTP1BodyFrames.Framing
                switch head.framing {
                case .none, .contentLength(0): body = .done
                case .contentLength(let length): body = .remaining(length)
                case .chunked: body = .chunked(ChunkedDecoder(limits: session.limits))
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

    /// The session passed this stream's frame to the socket.
    func wrote(_ payload: HTTP2Frame.FramePayload) {
        let wasWritable = isWritable
        _ = output.sent(payload)
        if !wasWritable, isWritable { owner?.backendWritabilityChanged(true) }
    }

    // MARK: Response: frames to the attempt's bytes

    /// A HEADERS or DATA frame of this stream (`length`: what DATA counts against the window).
    func receive(_ payload: HTTP2Frame.FramePayload, length: Int = 0) {
        window.used(length)
        if held.hold(payload) { return }
        take(payload)
        topUpWindow()
    }

    private func take(_ payload: HTTP2Frame.FramePayload) {
        switch payload {
        case .headers(let frame):
            if frame.endStream { endpointEnded = true }
            switch response {
            case .head:
                responseHead(frame.headers, endStream: frame.endStream)
            case .body(let chunked):
                response = .done
                if chunked {
                    pass(HTTP1BodyFrames.lastChunk(trailers: HTTP2Translation.fieldLines(frame.headers), allocator: session.allocator))
                }
            case .bodiless:
                response = .done
            case .done:
                break
            }
        case .data(let frame):
            if frame.endStream { endpointEnded = true }
            guard case .byteBuffer(let bytes) = frame.data else { return }
            switch response {
            case .body(let chunked):
                if frame.endStream { response = .done }
                if let left = bodyLeft { bodyLeft = left - min(left, UInt64(bytes.readableBytes)) }
                if let body = HTTP1BodyFrames.body(bytes, chunked: chunked, last: frame.endStream, allocator: session.allocator) {
                    pass(body)
                }
            case .bodiless:
                if frame.endStream { response = .done }
            case .head, .done:
                break
            }
        default:
            break
        }
    }

    private func responseHead(_ headers: HPACKHeaders, endStream: Bool) {
        guard let statusText = headers.first(name: ":status"), let status = Int(statusText) else {
            close()
            tellOwner()
            return
        }
        var bytes = session.responseHeadBuffer()
        bytes.writeStaticString("HTTP/1.1 ")
        bytes.writeString(String(status))
        bytes.writeStaticString(" ")
        bytes.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        bytes.writeStaticString("\r\n")
        var hasLength = false
        for (name, value, _) in headers where !name.hasPrefix(":") {
            if name == "content-length" {
                hasLength = true
                bodyLeft = UInt64(value)
            }
            HTTP2Translation.writeLine(name, value, to: &bytes)
        }
        let informational = (100..<200).contains(status)
        let bodiless = method == "HEAD" || status == 204 || status == 304
        if informational {
            // 100 Continue and friends: the final head follows.
        } else if bodiless {
            response = endStream ? .done : .bodiless
        } else if endStream {
            if !hasLength { bytes.writeStaticString("content-length: 0\r\n") }
            response = .done
        } else if hasLength {
            response = .body(chunked: false)
        } else {
            bytes.writeStaticString("transfer-encoding: chunked\r\n")
            response = .body(chunked: true)
        }
        bytes.writeStaticString("\r\n")
        pass(bytes)
        session.keep(responseHeadBuffer: bytes)
    }

    private func pass(_ bytes: ByteBuffer) {
        owner?.backendRead(bytes)
    }

    func setReading(_ on: Bool) {
        guard on else { return held.pause() }
        guard held.resume() else { return }
        defer { held.delivered() }
        while !closed, let payload = held.next() { take(payload) }
        topUpWindow()
    }

    /// Gives the endpoint back the window it used once half of it is gone
    /// and nothing waits here.
    private func topUpWindow() {
        guard let id, !held.paused, held.isEmpty, !endpointEnded, !closed, let increment = window.increment() else { return }
        session.writer.enqueue(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: increment)))
        session.writer.flush()
    }

    // MARK: Ending

    /// The attempt is done with the stream. A complete exchange is left to
    /// end by itself (the endpoint's END_STREAM may still be on its way, in
    /// an empty DATA frame after a body its content-length said was whole:
    /// a reset then would count against the endpoint's reset-flood limits,
    /// which NIO's servers enforce with GOAWAY); one still open is reset.
    func close() {
        guard !closed else { return }
        closed = true
        held.reset()
        var answered = endpointEnded || bodyLeft == 0
        if case .done = response { answered = true }
        guard let id, !(output.ended && answered) else { return }
        session.writer.enqueue(HTTP2Frame(streamID: id, payload: .rstStream(.cancel)))
        session.writer.flush()
    }

    /// The endpoint said GOAWAY with a last stream id below this one's: it
    /// did not, and will not, process the request (RFC 9113 section 6.8).
    func refuse() {
        refused = true
    }

    /// NIO's connection handler closed the stream (`reason`: a reset's
    /// code), or the connection closed.
    func closedByConnection(reason: HTTP2ErrorCode?) {
        closed = true
        finished = true
        held.reset()
        if reason == .refusedStream { refused = true }
        tellOwner()
    }

    /// An owner still waiting hears of the end as of a closed connection:
    /// a response cut short, or none. One refused by the endpoint hears it
    /// was not taken, which any request may be retried after.
    func tellOwner() {
        guard let owner else { return }
        self.owner = nil
        if refused {
            owner.backendRefused()
        } else {
            owner.backendClosed()
        }
    }
}
