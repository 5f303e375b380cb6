import Engine
import Logging
import NIOCore
import RouteLang

// MARK: - ProxyConnection

/// The handler on a client (downstream) connection: reads request heads
/// with the strict parser, asks the Engine where each request goes, and
/// streams the request and response bytes between the client and a pooled
/// backend connection, with backpressure both ways: a side stops reading
/// (autoRead off) only while the other side cannot take more, so the common
/// case costs no extra system calls.
///
/// Requests on one connection are handled one at a time; pipelined bytes
/// wait in `inbound` until the previous response is complete.
final class ProxyConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingHead
        case exchange(Exchange)
        /// After a 101 response: bytes pass through both ways.
        case tunnel(ConnectionPool.Lease)
        case closing
    }

    let runtime: LoopRuntime
    let listener: ListenerConfig
    var context: ChannelHandlerContext?
    var inbound: ByteBuffer?
    var state = State.awaitingHead
    /// When the current head must be complete (checked by the loop's sweeper).
    var headDeadline: NIODeadline?
    /// When the next request body bytes must have arrived (checked by the sweeper).
    var bodyDeadline: NIODeadline?
    var clientAddress: String?
    /// Whether reading from the client is paused (autoRead off).
    var clientPaused = false

    init(runtime: LoopRuntime, listener: ListenerConfig) {
        self.runtime = runtime
        self.listener = listener
    }

    // MARK: Client events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        runtime.connections[ObjectIdentifier(self)] = self
        clientAddress = context.channel.remoteAddress?.ipAddress
        inbound = context.channel.allocator.buffer(capacity: 4096)
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeadTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        // After an error response: what still arrives is dropped.
        if case .closing = state { return }
        if case .tunnel(let lease) = state {
            lease.channel.writeAndFlush(buffer, promise: nil)
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
        // Bytes pipelined behind a request in flight wait in `inbound`; stop
        // reading before they grow past a head's worth.
        if case .exchange(let exchange) = state, exchange.requestBodyDone,
           (inbound?.readableBytes ?? 0) > runtime.options.limits.maxHeadBytes {
            setClientReading(false)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        headDeadline = nil
        bodyDeadline = nil
        switch state {
        case .exchange(let exchange):
            exchange.deadline?.cancel()
            exchange.backend?.handler.owner = nil
            exchange.backend?.channel.close(promise: nil)
            releaseLoad(exchange)
        case .tunnel(let lease):
            lease.handler.owner = nil
            lease.channel.close(promise: nil)
        case .awaitingHead, .closing:
            break
        }
        state = .closing
        self.context = nil
        runtime.connections[ObjectIdentifier(self)] = nil
    }

    /// During a drain: closes the connection if no request is in progress.
    func closeIfIdle() {
        guard case .awaitingHead = state, (inbound?.readableBytes ?? 0) == 0 else { return }
        context?.close(promise: nil)
    }

    /// Closes at once (the drain's grace period is over).
    func forceClose() {
        context?.close(promise: nil)
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
        guard self.context != nil, var bytes = inbound else { return }
        switch state {
        case .awaitingHead:
            guard bytes.readableBytes > 0 else { return }
            let parser = RequestHeadParser(limits: runtime.options.limits)
            let outcome = bytes.withUnsafeReadableBytes { raw in parser.parse(raw.bindMemory(to: UInt8.self)) }
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
        case .exchange(let exchange):
            forwardRequestBody(exchange)
        case .tunnel, .closing:
            break
        }
    }

    /// Routes a request and connects to its backend.
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
            runtime.metrics.record(status: 413, destination: "none", nanoseconds: nil)
            respondError(status: 413, error: "request body of \(length) bytes is larger than max-body-size \(limit)", close: true, head: head)
            return
        }
        let decision: RoutingDecision
        switch runtime.router.route(facts, dtabOverride: overrides.isEmpty ? nil : overrides.joined(separator: ";")) {
        case .failure(let failure):
            runtime.metrics.record(status: failure.status, destination: "none", nanoseconds: nil)
            respondError(status: failure.status, error: failure.message, close: hasBody || !head.keepAlive, head: head)
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
        guard let (leaf, endpoint) = runtime.balancers.pick(decision, now: NIODeadline.now().uptimeNanoseconds, random: &runtime.random) else {
            let ids = decision.bound.leaves.map(\.id.show).joined(separator: ", ")
            runtime.metrics.record(status: 503, destination: "none", nanoseconds: nil)
            respondError(status: 503, error: "no endpoints for \(ids.isEmpty ? decision.name.show : ids)",
                         close: hasBody || !head.keepAlive, head: head)
            return
        }
        let exchange = Exchange(request: head, decision: decision, leaf: leaf, endpoint: endpoint,
                                started: .now())
        state = .exchange(exchange)
        if !exchange.requestBodyDone { armBodyTimer() }
        if let timeout = decision.policy.timeout {
            exchange.deadline = runtime.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Self.nanoseconds(timeout))) { [weak self] in
                self?.deadlinePassed(exchange)
            }
        }
        if let lease = runtime.pool.takeIdle(endpoint) {
            connected(exchange, .success(lease))
            return
        }
        runtime.pool.acquire(endpoint).assumeIsolated().whenComplete { [weak self] result in
            guard let self else {
                if case .success(let lease) = result { lease.channel.close(promise: nil) }
                return
            }
            self.connected(exchange, result)
        }
    }

    func connected(_ exchange: Exchange, _ result: Result<ConnectionPool.Lease, Error>) {
        guard case .exchange(let current) = state, current === exchange else {
            if case .success(let lease) = result { runtime.pool.release(lease) }
            return
        }
        switch result {
        case .failure(let error):
            fail(exchange, status: 502, error: "cannot connect to \(exchange.endpoint) for \(exchange.leaf.idText): \(error)")
        case .success(let lease):
            exchange.backend = lease
            lease.handler.owner = self
            let context = HeadRewriter.RequestContext(clientAddress: clientAddress, logicalName: exchange.decision.nameText,
                                                      boundName: exchange.leaf.idText, forwardDtab: listener.allowDtabOverride,
                                                      endpoint: exchange.endpoint.description)
            let head = HeadRewriter.request(exchange.request, context: context)
            lease.channel.write(lease.channel.allocator.buffer(bytes: head), promise: nil)
            try? lease.channel.syncOptions?.setOption(.autoRead, value: true)
            forwardRequestBody(exchange)
        }
    }

    /// Sends the request body bytes received so far, validating chunked framing.
    func forwardRequestBody(_ exchange: Exchange) {
        guard let backend = exchange.backend, var bytes = inbound else { return }
        switch exchange.requestBody {
        case .done:
            backend.channel.flush()
            return
        case .remaining(let remaining):
            let take = Int(min(remaining, UInt64(bytes.readableBytes)))
            if take > 0, let slice = bytes.readSlice(length: take) {
                backend.channel.write(slice, promise: nil)
            }
            exchange.requestBody = remaining - UInt64(take) == 0 ? .done : .remaining(remaining - UInt64(take))
        case .chunked(var decoder):
            let consumed: Int
            var data = 0
            do {
                consumed = try bytes.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                    try decoder.decode(raw.bindMemory(to: UInt8.self)) { data += $0.count }
                }
            } catch {
                inbound = bytes
                fail(exchange, status: error.status, error: "invalid chunked body: \(error.detail)")
                return
            }
            exchange.requestBodyBytes += UInt64(data)
            // Past the limit nothing more is written, the last chunk least of
            // all: the backend never sees the body as complete.
            if let limit = runtime.options.maxBodySize, exchange.requestBodyBytes > limit {
                inbound = bytes
                fail(exchange, status: 413, error: "chunked request body is larger than max-body-size \(limit)")
                return
            }
            if consumed > 0, let slice = bytes.readSlice(length: consumed) {
                backend.channel.write(slice, promise: nil)
            }
            exchange.requestBody = decoder.isFinished ? .done : .chunked(decoder)
        }
        if exchange.requestBodyDone { bodyDeadline = nil }
        inbound = bytes
        backend.channel.flush()
        updateClientReading()
    }

    // MARK: Backpressure

    /// Reads from the client only while the backend can take more.
    func updateClientReading() {
        switch state {
        case .exchange(let exchange):
            setClientReading(exchange.requestBodyDone || (exchange.backend?.channel.isWritable ?? true))
        case .tunnel(let lease):
            setClientReading(lease.channel.isWritable)
        case .awaitingHead:
            setClientReading(true)
        case .closing:
            break
        }
    }

    func setClientReading(_ on: Bool) {
        guard let context, clientPaused == on else { return }
        clientPaused = !on
        try? context.channel.syncOptions?.setOption(.autoRead, value: on)
    }

    /// Reads from the backend only while the client can take more.
    func updateBackendReading() {
        guard let context else { return }
        let backend: Channel?
        switch state {
        case .exchange(let exchange): backend = exchange.backend?.channel
        case .tunnel(let lease): backend = lease.channel
        default: backend = nil
        }
        try? backend?.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
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
    /// While the proxy itself waits (reading paused, or still connecting
    /// with the body buffered), the client is not idle.
    func checkBodyDeadline(now: NIODeadline) {
        guard let deadline = bodyDeadline, deadline <= now else { return }
        guard case .exchange(let exchange) = state, !exchange.requestBodyDone else {
            bodyDeadline = nil
            return
        }
        if clientPaused || exchange.backend == nil {
            armBodyTimer()
            return
        }
        bodyDeadline = nil
        fail(exchange, status: 408, error: "request body stalled for longer than body-idle-timeout")
    }

    /// Acts on a passed head deadline.
    func checkHeadDeadline(now: NIODeadline) {
        guard let deadline = headDeadline, deadline <= now, case .awaitingHead = state else { return }
        headDeadline = nil
        if (inbound?.readableBytes ?? 0) > 0 {
            respondAndClose(status: 408, error: "request head not received within the header read timeout")
        } else {
            context?.close(promise: nil)
        }
    }

    func deadlinePassed(_ exchange: Exchange) {
        guard case .exchange(let current) = state, current === exchange else { return }
        fail(exchange, status: 504, error: "deadline of \(DurationFormat.show(exchange.decision.policy.timeout ?? .zero)) exceeded for \(exchange.decision.name.show)")
    }
}
