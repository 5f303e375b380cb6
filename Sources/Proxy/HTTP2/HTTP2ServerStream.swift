import NIOCore
import NIOHPACK
import NIOHTTP2

// MARK: - HTTP2ServerStream

/// One client stream of an HTTP/2 connection, served without a channel of
/// its own: `HTTP2ServerSession` hands it the stream's frames, and its
/// `ProxyConnection` (the request path HTTP/1.1 requests take: routing,
/// the `RequestMachine`, balancing, retries, accrual, deadlines, metrics,
/// tracing) writes the response to it.
///
/// Inbound, the header block becomes a head in HTTP/1.1 form, which the
/// strict request parser then checks like any other (a field value HPACK
/// let through but HTTP/1.1 forbids is refused, not forwarded), and DATA
/// frames the body (chunked when no content-length says how long, with
/// the trailers). The head says `connection: close`: the handler serves
/// one exchange. Outbound, the response the handler writes is parsed with
/// the strict response parser and becomes HEADERS and DATA frames, chunked
/// trailers a trailing HEADERS frame.
///
/// Flow control: the client may send a window's worth; DATA that arrives
/// while the handler pauses reading waits here, and the window is topped
/// up only as the handler takes it. Response DATA not yet passed to the
/// socket (the frame delegate counts it off) makes the stream unwritable
/// past a high-water mark, which pauses reading from the backend.
final class HTTP2ServerStream {
    enum RequestState {
        case head
        case body(chunked: Bool)
        case done
    }

    enum ResponseState {
        case head
        case body(HTTP1BodyFrames)
    }

    private(set) var id: HTTP2StreamID
    unowned let session: HTTP2ServerSession
    /// The request path serving this stream (detached once it closed).
    private(set) var connection: ProxyConnection
    private var request = RequestState.head
    private var response = ResponseState.head
    /// The request method: a HEAD response has no body whatever it says.
    private var method = "GET"
    /// The arrays response heads are parsed into and the buffer the request
    /// head is written into, lent by the loop until the stream closes.
    private var headStorage: HeadStorage
    private var requestHeadBuffer: ByteBuffer?

    // MARK: Flow-control state

    /// What the client may still send before the next WINDOW_UPDATE.
    private var window: InboundWindow
    /// Frames received while reading is paused.
    private var held = HeldFrames()
    /// The response as written: what waits for a whole head, what waits for the socket.
    private var output = StreamOutput()
    /// Whether the client's END_STREAM arrived.
    private var clientEnded = false
    /// The client still sends a body nobody reads: reset once the response has left.
    private var resetWhenSent = false
    /// A reset went out, or the stream closed: nothing more is written.
    private(set) var closed = false

    init(id: HTTP2StreamID, session: HTTP2ServerSession) {
        self.id = id
        self.session = session
        window = InboundWindow(target: session.streamWindow, left: session.streamWindow)
        headStorage = session.runtime.spareResponseHeads.popLast() ?? HeadStorage()
        connection = ProxyConnection(runtime: session.runtime, listener: session.listener, clientHTTP2: true,
                                     counters: session.tally, clientAddress: session.clientAddress)
        connection.attach(.stream(self), active: true)
    }

    /// The stream closed: its handler lets go of what it served, and the
    /// loop gets the lent arrays and buffer back.
    func closedByConnection() {
        closed = true
        held.reset()
        connection.detach()
        session.runtime.keepSpares(responseHead: headStorage, headBuffer: requestHeadBuffer)
        headStorage = HeadStorage()
        requestHeadBuffer = nil
    }

    /// Makes this closed stream, and its handler, serve stream `id`: a
    /// stream then costs no allocation of either. Only when nothing but
    /// the caller holds either of them any more (no backend connection's
    /// handler, no deferred reset), so nothing of the last stream can
    /// reach the next one; false otherwise.
    func reopen(as id: HTTP2StreamID) -> Bool {
        guard closed, isKnownUniquelyReferenced(&connection) else { return false }
        self.id = id
        request = .head
        response = .head
        window = InboundWindow(target: session.streamWindow, left: session.streamWindow)
        held.reset()
        output = StreamOutput()
        clientEnded = false
        resetWhenSent = false
        closed = false
        headStorage = session.runtime.spareResponseHeads.popLast() ?? HeadStorage()
        connection.reopen()
        connection.attach(.stream(self), active: true)
        return true
    }

    // MARK: Request: frames to the handler

    /// A HEADERS or DATA frame of this stream (`length`: what DATA counts
    /// against the window, padding included).
    func receive(_ payload: HTTP2Frame.FramePayload, length: Int = 0) {
        window.used(length)
        if held.hold(payload) { return }
        take(payload)
        topUpWindow()
    }

    private func take(_ payload: HTTP2Frame.FramePayload) {
        switch payload {
        case .headers(let headers):
            if headers.endStream { clientEnded = true }
            takeHeaders(headers)
        case .data(let data):
            if data.endStream { clientEnded = true }
            guard case .body(let chunked) = request, case .byteBuffer(let bytes) = data.data else { return }
            if data.endStream { request = .done }
            if let body = HTTP1BodyFrames.body(bytes, chunked: chunked, last: data.endStream, allocator: session.allocator) {
                connection.received(body)
            }
        default:
            break
        }
    }

    private func takeHeaders(_ headers: HTTP2Frame.FramePayload.Headers) {
        switch request {
        case .head:
            var buffer = session.runtime.spareHeadBuffers.popLast() ?? session.allocator.buffer(capacity: 0)
            defer { requestHeadBuffer = buffer }
            guard let head = HTTP2Translation.requestHead(headers.headers, endStream: headers.endStream, into: &buffer) else {
                reset(.protocolError)
                return
            }
            method = head.method
            request = headers.endStream ? .done : .body(chunked: head.chunked)
            connection.received(head.bytes)
        case .body(let chunked):
            // Trailers end the body. A body framed by content-length has
            // nowhere to carry them in HTTP/1.1, so they are dropped then.
            request = .done
            if chunked {
                connection.received(HTTP1BodyFrames.lastChunk(trailers: HTTP2Translation.fieldLines(headers.headers),
                                                               allocator: session.allocator))
            }
        case .done:
            break
        }
    }

    /// Pauses or resumes reading; a resume hands over what waited.
    func setReading(_ on: Bool) {
        guard on else { return held.pause() }
        guard held.resume() else { return }
        defer { held.delivered() }
        while !closed, let payload = held.next() { take(payload) }
        topUpWindow()
    }

    /// Gives the client back the window it used once half of it is gone
    /// and nothing waits here (the pause is what holds the client back).
    private func topUpWindow() {
        guard !held.paused, held.isEmpty, !clientEnded, !closed, let increment = window.increment() else { return }
        session.writer.enqueue(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: increment)))
        session.writer.flush()
    }

    // MARK: Response: the handler's bytes to frames

    /// Whether the client takes more response bytes now.
    var isWritable: Bool {
        session.isWritable && output.buffered < session.highWater
    }

    /// Response bytes from the handler; they leave as frames at `flush`.
    func write(_ bytes: ByteBuffer) {
        guard !closed else { return }
        var bytes = output.joined(bytes)
        var frames = session.writer.takeScratch()
        defer { session.writer.returnScratch(&frames) }
        do {
            try convert(&bytes, into: &frames)
        } catch {
            // The handler wrote something that is not HTTP/1.1: nothing sane can follow.
            reset(.internalError)
            return
        }
        if case .head = response, bytes.readableBytes > 0 { output.pending = bytes }
        for payload in frames { send(payload) }
    }

    func flush() {
        session.writer.flush()
    }

    private func send(_ payload: HTTP2Frame.FramePayload) {
        output.writing(payload)
        session.writer.enqueue(HTTP2Frame(streamID: id, payload: payload))
    }

    /// Turns as much of `bytes` as is complete into frames.
    private func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws {
        while case .head = response {
            guard bytes.readableBytes > 0 else { return }
            let parser = ResponseHeadParser(limits: session.runtime.options.limits)
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
                let headers = session.responseHeaders(head)
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
                case .chunked: body = .chunked(ChunkedDecoder(limits: session.runtime.options.limits))
                case .untilClose: body = .untilClose
                }
                let bodyFrames = HTTP1BodyFrames(framing: body)
                response = .body(bodyFrames)
                frames.append(.headers(.init(headers: headers, endStream: bodyFrames.isDone)))
                if bodyFrames.isDone { return }
            }
        }
        guard case .body(var body) = response else { return }
        try body.convert(&bytes, into: &frames)
        response = .body(body)
    }

    /// The session passed this stream's frame to the socket.
    func wrote(_ payload: HTTP2Frame.FramePayload) {
        let wasWritable = isWritable
        let endedStream = output.sent(payload)
        if !wasWritable, isWritable { connection.updateBackendReading() }
        // The reset goes after the response, and not from inside the connection handler's write.
        if endedStream, resetWhenSent { session.runtime.eventLoop.assumeIsolated().execute { self.reset(.noError) } }
    }

    // MARK: Closing

    /// The handler is done with the stream. A response delimited by the
    /// close ends with an empty END_STREAM frame. A complete response goes
    /// out first; if the client is still sending, a NO_ERROR reset then
    /// tells it to stop (RFC 9113 section 8.1). An incomplete one is cut
    /// off with CANCEL.
    func close() {
        guard !closed else { return }
        if case .body(let body) = response, case .untilClose = body.framing {
            response = .body(HTTP1BodyFrames(framing: .done))
            send(HTTP1BodyFrames.endOfStream)
        }
        guard output.ended else {
            reset(.cancel)
            return
        }
        session.writer.flush()
        guard !clientEnded, !closed else { return }
        if output.endSent { reset(.noError) } else { resetWhenSent = true }
    }

    /// Resets the stream; the session closes it when the reset has passed.
    func reset(_ code: HTTP2ErrorCode) {
        guard !closed else { return }
        closed = true
        session.writer.enqueue(HTTP2Frame(streamID: id, payload: .rstStream(code)))
        session.writer.flush()
    }
}
