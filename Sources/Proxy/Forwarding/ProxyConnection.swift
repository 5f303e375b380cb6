import Engine
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import OTel
import Tracing
import RouteLang

// MARK: - ProxyConnection

/// The handler on a client (downstream) connection: reads request heads
/// with the strict parser, asks the Engine where each request goes, and
/// carries out what the request's `RequestMachine` decides (attempts,
/// retries, backoff, the answer), streaming the request and response bytes
/// between the client and a pooled backend connection with backpressure
/// both ways: a side stops reading (autoRead off) only while the other
/// side cannot take more, so the common case costs no extra system calls.
///
/// Requests on one connection are handled one at a time; pipelined bytes
/// wait in `inbound` until the previous response is complete. An HTTP/2
/// stream is served by one of these too, driven by `HTTP2ServerSession`
/// instead of a channel (see `Client`).
final class ProxyConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingHead
        /// A request is in flight: `request` holds it.
        case forwarding
        /// After a 101 response: bytes pass through both ways.
        case tunnel(ConnectionPool.Lease)
        case closing
    }

    let runtime: LoopRuntime
    let listener: ListenerConfig
    /// This listener's connection and byte counts on this loop.
    let counters: ListenerTally
    /// Where the client is; nil once it is gone.
    var client: Client?
    /// Buffers for the client and the backend (the channels' allocator too).
    let allocator = ByteBufferAllocator()
    var inbound: ByteBuffer?
    var state = State.awaitingHead
    /// The request being served; setting it counts requests in flight, and
    /// a finished one waits in `spareRequest` to be reused.
    var request: InFlightRequest? {
        didSet {
            guard oldValue !== request else { return }
            if let finished = oldValue {
                runtime.metrics.inFlight -= 1
                finished.park()
                spareRequest = finished
            }
            if request != nil { runtime.metrics.inFlight += 1 }
        }
    }
    /// The last finished request, reused for the next one when nothing
    /// else still holds it; its head's arrays go to `requestHeadStorage`.
    var spareRequest: InFlightRequest?
    /// The arrays the next request head is parsed into.
    var requestHeadStorage = HeadStorage()
    /// The arrays response heads are parsed into.
    var responseHeadStorage = HeadStorage()
    /// Numbers attempts, so a late callback of an earlier one is ignored.
    var serial: UInt64 = 0
    /// When the current head must be complete (checked by the loop's sweeper).
    var headDeadline: NIODeadline?
    /// When the next request body bytes must have arrived (checked by the sweeper).
    var bodyDeadline: NIODeadline?
    var clientAddress: String?
    /// Whether reading from the client is paused (autoRead off).
    var clientPaused = false
    /// The buffer forwarded heads are written into, both ways. Once the
    /// socket took a head, this is its only reference again, and the next
    /// head reuses its memory (a head still queued is copied on write).
    var headScratch: ByteBuffer?
    /// The connection's one timer, and when it fires (`ProxyConnection+Timer`).
    var timer: Scheduled<Void>?
    var timerAt = UInt64.max

    /// Whether the client speaks HTTP/2: this handler then serves one stream
    /// of an `HTTP2ServerSession`, and `protocol auto` speaks HTTP/2 to
    /// endpoints too.
    let clientHTTP2: Bool

    /// `ProtocolSniffer` counts the TCP connections, whichever protocol they
    /// speak. `counters` and `clientAddress`: the listener's counters and
    /// the peer's address, when the caller has them (an HTTP/2 stream's
    /// connection does), so neither is looked up or formatted per stream.
    init(runtime: LoopRuntime, listener: ListenerConfig, clientHTTP2: Bool = false, counters: ListenerTally? = nil,
         clientAddress: String? = nil) {
        self.runtime = runtime
        self.listener = listener
        self.clientHTTP2 = clientHTTP2
        self.counters = counters ?? runtime.metrics.listener(listener.address.description)
        self.clientAddress = clientAddress
    }

    // MARK: Client events

    func handlerAdded(context: ChannelHandlerContext) {
        attach(.channel(context), active: context.channel.isActive)
        if clientAddress == nil { clientAddress = context.channel.remoteAddress?.ipAddress }
    }

    /// Starts serving `client` (a channel's pipeline, or an HTTP/2 stream):
    /// registers with the loop and takes the loop's spare arrays and buffers.
    func attach(_ client: Client, active: Bool) {
        self.client = client
        runtime.connections[ObjectIdentifier(self)] = self
        spareRequest = runtime.spareRequests.popLast()
        responseHeadStorage = runtime.spareResponseHeads.popLast() ?? HeadStorage()
        headScratch = runtime.spareHeadBuffers.popLast()
        // Added by the sniffer to a connection that is already active.
        if active { armHeadTimer() }
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeadTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received(unwrapInboundIn(data))
    }

    /// Bytes from the client.
    func received(_ buffer: ByteBuffer) {
        var buffer = buffer
        counters.received += buffer.readableBytes
        // After an error response: what still arrives is dropped.
        if case .closing = state { return }
        if case .tunnel(let lease) = state {
            lease.link.write(buffer)
            lease.link.flush()
            updateClientReading()
            return
        }
        // Take the received buffer as it is when everything before it was
        // consumed: appending would keep growing one buffer for a whole body.
        if (inbound?.readableBytes ?? 0) == 0 {
            inbound = buffer
        } else {
            inbound?.writeBuffer(&buffer)
        }
        if bodyDeadline != nil { armBodyTimer() }
        process()
        // Holding a consumed receive buffer would make the channel's pooled
        // receive allocator allocate a new one for the next read.
        if inbound?.readableBytes == 0 { inbound = nil }
        // Bytes pipelined behind a request in flight wait in `inbound`; stop
        // reading before they grow past a head's worth.
        if case .forwarding = state, request?.body.isDone == true,
           (inbound?.readableBytes ?? 0) > runtime.options.limits.maxHeadBytes {
            setClientReading(false)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        detach()
    }

    /// Makes a detached handler ready to serve the next HTTP/2 stream of its
    /// session (`HTTP2ServerStream.reopen`, which checked that nothing else
    /// holds it). `serial` goes on counting: a late connect callback of an
    /// earlier stream's attempt finds a number that is not its own.
    func reopen() {
        state = .awaitingHead
        inbound = nil
        clientPaused = false
        headDeadline = nil
        bodyDeadline = nil
    }

    /// The client is gone (its connection or stream closed): ends what is
    /// under way and leaves the spares to the loop.
    func detach() {
        guard client != nil else { return }
        headDeadline = nil
        bodyDeadline = nil
        switch state {
        case .forwarding:
            // The client went away: what the attempt under way says of its
            // endpoint is unknown, so accrual hears nothing but a released probe.
            endAttempt(rtt: nil, accrual: nil)
            cancelTimers()
            if let span = request?.span { RequestTracing.end(span, status: nil, error: "the client closed the connection") }
            request = nil
        case .tunnel(let lease):
            lease.link.owner = nil
            lease.link.close()
        case .awaitingHead, .closing:
            break
        }
        state = .closing
        timer?.cancel()
        timer = nil
        timerAt = .max
        client = nil
        runtime.connections[ObjectIdentifier(self)] = nil
        leaveSpares()
    }

    /// During a drain: closes the connection if no request is in progress.
    func closeIfIdle() {
        guard case .awaitingHead = state, (inbound?.readableBytes ?? 0) == 0 else { return }
        closeClient()
    }

    /// Closes at once (the drain's grace period is over).
    func forceClose() {
        closeClient()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Reading from the backend follows whether the client can take more.
        updateBackendReading()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        runtime.logger.debug("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Request side

    /// Acts on the bytes received so far.
    func process() {
        guard client != nil, var bytes = inbound else { return }
        switch state {
        case .awaitingHead:
            guard bytes.readableBytes > 0 else { return }
            reclaimHeadStorage()
            let parser = RequestHeadParser(limits: runtime.options.limits)
            let outcome = bytes.withUnsafeReadableBytes { raw in
                parser.parse(raw.bindMemory(to: UInt8.self), storage: &requestHeadStorage)
            }
            switch outcome {
            case .incomplete:
                break
            case .failure(let error):
                runtime.logger.debug("refused request", metadata: ["error": "\(error)"])
                respondAndClose(status: error.status, error: error.detail)
            case .complete(let head):
                bytes.moveReaderIndex(forwardBy: head.consumed)
                inbound = bytes
                headDeadline = nil
                start(head)
            }
        case .forwarding:
            forwardRequestBody()
        case .tunnel, .closing:
            break
        }
    }

    /// Routes a request and hands it to a new `RequestMachine`.
    func start(_ head: RequestHead) {
        var head = head
        // Routing sees only the headers some rule reads.
        var headers: [RequestFacts.Header] = []
        for name in runtime.router.snapshot.referencedHeaders {
            for value in head.values(named: name) { headers.append(RequestFacts.Header(name, value)) }
        }
        let facts = RequestFacts(method: head.method, target: head.target, authority: head.authority, headers: headers)
        let overrides = listener.allowDtabOverride ? head.values(.l5dDtab).filter { !$0.isEmpty } : []
        let hasBody = head.framing != .none
        if let limit = runtime.options.maxBodySize, case .contentLength(let length) = head.framing, length > limit {
            count(nil, status: 413, head: head)
            respondError(status: 413, error: "request body of \(length) bytes is larger than max-body-size \(limit)", close: true)
            return
        }
        let decision: RoutingDecision
        switch runtime.router.route(facts, dtabOverride: overrides.isEmpty ? nil : overrides.joined(separator: ";")) {
        case .failure(let failure):
            count(nil, status: failure.status, head: head)
            respondError(status: failure.status, error: failure.message, close: hasBody || !head.keepAlive, grpc: head.isGRPC)
            return
        case .success(let routed):
            decision = routed
        }
        // Only the upgrades the route allows pass; any other request goes on
        // as plain HTTP/1.1 (its Upgrade and Connection fields are hop-by-hop).
        if let upgrade = head.upgrade, let wanted = FieldValues.upgradeProtocols(upgrade).first,
           !decision.policy.upgrades.contains(wanted) {
            head.upgrade = nil
        }
        let now = NIODeadline.now()
        let linkerd = DeadlineHeader.parse(head.values(.l5dDeadline)).map {
            DeadlineHeader.monotonic($0, wallNow: Self.wallClock(), monotonicNow: now.uptimeNanoseconds)
        }
        let grpc = head.values(.grpcTimeout).compactMap(GRPCTimeout.parse).min().map { now.uptimeNanoseconds + $0 }
        let propagated = switch (linkerd, grpc) {
        case let (linkerd?, grpc?): min(linkerd, grpc)
        case let (one?, nil), let (nil, one?): Optional(one)
        case (nil, nil): UInt64?.none
        }
        let source = grpc != nil && grpc == propagated ? "grpc-timeout" : "l5d-ctx-deadline"
        let policy = decision.policy
        // A body is copied for a retry only when one could send it again.
        let keepBody = head.framing != .none && policy.retry.limit > 0
            && (RetryPolicy.idempotentMethods.contains(head.method) || policy.retry.methods.contains(head.method))
        let body = RequestBodyState(head.framing, keepForReplay: keepBody, replayLimit: runtime.options.retryBodySize,
                                    allocator: allocator)
        let machine = RequestMachine(policy: policy, method: head.method, bodyReplayable: true, now: now.uptimeNanoseconds,
                                     propagatedDeadline: propagated, deadlineSource: source)
        let request = makeRequest(head: head, decision: decision, machine: machine, body: body, started: now)
        if let tracer = runtime.tracer {
            switch RequestTracing.decide(head, ratio: runtime.sampleRatio, ids: &runtime.requestIDs) {
            case .record:
                let span = RequestTracing.serverSpan(tracer, head: head, decision: decision, client: clientAddress,
                                                     http2: clientHTTP2, tls: listener.tls != nil)
                request.span = span
                request.requestID = span.context.otelTraceID.flatMap { TraceID(hex: $0) } ?? runtime.requestIDs.next()
            case .skip(let id, let fields):
                request.requestID = id
                request.traceFields = fields
            }
        } else {
            request.requestID = runtime.requestID(for: head)
        }
        self.request = request
        state = .forwarding
        if !body.isDone { armBodyTimer() }
        if let deadline = machine.deadline {
            request.deadlineAt = deadline
            armTimer(at: deadline)
        }
        perform(request.machine.start(now: now.uptimeNanoseconds))
    }

    /// Sends the request body bytes received so far to the attempt's backend,
    /// and flushes what was written to it (the head too).
    func forwardRequestBody() {
        guard let request, let backend = request.attempt?.lease else { return }
        if var bytes = inbound {
            while true {
                let slice: ByteBuffer?
                do {
                    slice = try request.body.take(from: &bytes, maxBodySize: runtime.options.maxBodySize)
                } catch {
                    inbound = bytes
                    switch error {
                    case .invalidChunked(let parse): failRequest(status: parse.status, error: "invalid chunked body: \(parse.detail)")
                    case .tooLarge(let limit): failRequest(status: 413, error: "chunked request body is larger than max-body-size \(limit)")
                    }
                    return
                }
                guard let slice else { break }
                backend.link.write(slice)
            }
            inbound = bytes
        }
        if request.body.isDone { bodyDeadline = nil }
        backend.link.flush()
        updateClientReading()
    }

    // MARK: Backpressure

    /// Reads from the client only while the backend can take more.
    func updateClientReading() {
        switch state {
        case .forwarding:
            guard let request else { return }
            setClientReading(request.body.isDone || (request.attempt?.lease?.link.isWritable ?? true))
        case .tunnel(let lease):
            setClientReading(lease.link.isWritable)
        case .awaitingHead:
            setClientReading(true)
        case .closing:
            break
        }
    }

    func setClientReading(_ on: Bool) {
        guard let client, clientPaused == on else { return }
        clientPaused = !on
        switch client {
        case .channel(let context): try? context.channel.syncOptions?.setOption(.autoRead, value: on)
        case .stream(let stream): stream.setReading(on)
        }
    }

    /// Reads from the backend only while the client can take more.
    func updateBackendReading() {
        guard client != nil else { return }
        let backend: ConnectionPool.Lease?
        switch state {
        case .forwarding: backend = request?.attempt?.lease
        case .tunnel(let lease): backend = lease
        default: backend = nil
        }
        guard let backend else { return }
        backend.link.setReading(clientIsWritable)
    }

    // MARK: Timers

    /// A client must send a whole head within the header read timeout; an
    /// idle keep-alive connection is closed after it too. The loop's sweeper
    /// checks the deadline, so no timer is scheduled per request.
    func armHeadTimer() {
        headDeadline = .now() + runtime.options.headerReadTimeout
    }

    /// A client sending a body must not pause longer than the body idle
    /// timeout; armed when a body starts and again on every read.
    func armBodyTimer() {
        bodyDeadline = .now() + runtime.options.bodyIdleTimeout
    }

    /// Called by the sweeper.
    func checkDeadlines(now: NIODeadline) {
        checkBodyDeadline(now: now)
        checkHeadDeadline(now: now)
    }

    /// A client that stops sending mid-body gets 408; the backend connection
    /// is closed (it holds a partial body), never returned to the pool.
    /// While the proxy itself waits (reading paused, or between attempts
    /// with the body buffered), the client is not idle.
    func checkBodyDeadline(now: NIODeadline) {
        guard let deadline = bodyDeadline, deadline <= now else { return }
        guard case .forwarding = state, let request, !request.body.isDone else {
            bodyDeadline = nil
            return
        }
        if clientPaused || request.attempt?.lease == nil {
            armBodyTimer()
            return
        }
        bodyDeadline = nil
        failRequest(status: 408, error: "request body stalled for longer than body-idle-timeout")
    }

    /// Acts on a passed head deadline.
    func checkHeadDeadline(now: NIODeadline) {
        guard let deadline = headDeadline, deadline <= now, case .awaitingHead = state else { return }
        headDeadline = nil
        if (inbound?.readableBytes ?? 0) > 0 {
            respondAndClose(status: 408, error: "request head not received within the header read timeout")
        } else {
            closeClient()
        }
    }

    /// Nanoseconds since the Unix epoch: the clock `l5d-ctx-deadline` speaks.
    static func wallClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
