import Engine
import NIOCore

// MARK: - Response side

extension ProxyConnection {
    /// Bytes from the backend of the current exchange (or tunnel).
    func backendRead(_ buffer: ByteBuffer) {
        guard let context else { return }
        var buffer = buffer
        switch state {
        case .tunnel:
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            updateBackendReading()
            return
        case .exchange(let exchange):
            if case .awaitingHead = exchange.responseBody {
                if exchange.responseBuffer == nil {
                    exchange.responseBuffer = buffer
                } else {
                    exchange.responseBuffer!.writeBuffer(&buffer)
                }
                guard var pending = exchange.responseBuffer else { return }
                exchange.responseBuffer = nil
                guard readResponseHead(exchange, &pending) else { return }
                buffer = pending
            }
            forwardResponseBody(exchange, &buffer)
        case .awaitingHead, .closing:
            break
        }
    }

    /// Parses (and forwards) response heads; false while more bytes are needed
    /// or when the exchange ended.
    private func readResponseHead(_ exchange: Exchange, _ pending: inout ByteBuffer) -> Bool {
        guard let context else { return false }
        let parser = ResponseHeadParser(limits: runtime.options.limits)
        while true {
            let outcome = pending.withUnsafeReadableBytes { raw in
                parser.parse(raw.bindMemory(to: UInt8.self), requestMethod: exchange.request.method)
            }
            switch outcome {
            case .incomplete:
                exchange.responseBuffer = pending
                return false
            case .failure(let error):
                fail(exchange, status: 502, error: "invalid response from \(exchange.endpoint): \(error.detail)")
                return false
            case .complete(let head):
                pending.moveReaderIndex(forwardBy: head.bytes.count)
                if head.isInformational {
                    // 100 Continue and friends go to the client as they are.
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: head.bytes)), promise: nil)
                    continue
                }
                exchange.responseHeadAt = .now()
                if head.status == 101, exchange.request.upgrade != nil, let lease = exchange.backend {
                    let bytes = HeadRewriter.response(head, clientVersion: exchange.request.version, closeClient: false)
                    context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                    if pending.readableBytes > 0 { context.write(wrapOutboundOut(pending), promise: nil) }
                    context.flush()
                    exchange.deadline?.cancel()
                    record(exchange, status: 101)
                    state = .tunnel(lease)
                    if var early = inbound, early.readableBytes > 0, let rest = early.readSlice(length: early.readableBytes) {
                        lease.channel.writeAndFlush(rest, promise: nil)
                        inbound = early
                    }
                    updateClientReading()
                    return false
                }
                if head.status == 101 {
                    // No upgrade was forwarded, so none may be accepted.
                    fail(exchange, status: 502, error: "\(exchange.endpoint) switched protocols without an upgrade the route allows")
                    return false
                }
                exchange.responseStatus = head.status
                exchange.backendKeepAlive = head.keepAlive
                // A response that arrives before the request body is in makes
                // the client connection unusable afterwards.
                if !exchange.requestBodyDone || head.framing == .untilClose || runtime.draining { exchange.closeClient = true }
                let bytes = HeadRewriter.response(head, clientVersion: exchange.request.version, closeClient: exchange.closeClient)
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                switch head.framing {
                case .none: exchange.responseBody = .done
                case .contentLength(let length): exchange.responseBody = .remaining(length)
                case .chunked: exchange.responseBody = .chunked(ChunkedDecoder(limits: runtime.options.limits))
                case .untilClose: exchange.responseBody = .untilClose
                }
                return true
            }
        }
    }

    /// Streams response body bytes to the client.
    private func forwardResponseBody(_ exchange: Exchange, _ buffer: inout ByteBuffer) {
        guard let context else { return }
        switch exchange.responseBody {
        case .awaitingHead, .done:
            break
        case .untilClose:
            if buffer.readableBytes > 0 { context.write(wrapOutboundOut(buffer), promise: nil) }
        case .remaining(let remaining):
            let take = Int(min(remaining, UInt64(buffer.readableBytes)))
            if take > 0, let slice = buffer.readSlice(length: take) { context.write(wrapOutboundOut(slice), promise: nil) }
            exchange.responseBody = remaining - UInt64(take) == 0 ? .done : .remaining(remaining - UInt64(take))
        case .chunked(var decoder):
            do {
                let consumed = try buffer.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                    try decoder.decode(raw.bindMemory(to: UInt8.self)) { _ in }
                }
                if consumed > 0, let slice = buffer.readSlice(length: consumed) { context.write(wrapOutboundOut(slice), promise: nil) }
                exchange.responseBody = decoder.isFinished ? .done : .chunked(decoder)
            } catch {
                // The head is already out; all that is left is to stop.
                exchange.backendKeepAlive = false
                exchange.closeClient = true
                finish(exchange, status: exchange.responseStatus ?? 502)
                return
            }
        }
        if case .done = exchange.responseBody {
            // Bytes after a complete response mean the backend is out of step.
            if buffer.readableBytes > 0 { exchange.backendKeepAlive = false }
            finish(exchange, status: exchange.responseStatus ?? 200)
            return
        }
        context.flush()
        if !context.channel.isWritable { updateBackendReading() }
    }

    func backendWritabilityChanged(_ writable: Bool) {
        updateClientReading()
    }

    /// The backend closed its connection.
    func backendClosed() {
        switch state {
        case .tunnel:
            context?.close(promise: nil)
        case .exchange(let exchange):
            exchange.backend = nil
            switch exchange.responseBody {
            case .untilClose:
                exchange.closeClient = true
                finish(exchange, status: exchange.responseStatus ?? 200)
            case .awaitingHead:
                fail(exchange, status: 502, error: "\(exchange.endpoint) closed the connection before responding")
            case .remaining, .chunked:
                // A truncated response cannot be repaired: close the client too.
                exchange.closeClient = true
                finish(exchange, status: exchange.responseStatus ?? 502)
            case .done:
                break
            }
        case .awaitingHead, .closing:
            break
        }
    }

    // MARK: Ending an exchange

    /// The response is complete (or cut short after its head was sent).
    func finish(_ exchange: Exchange, status: Int) {
        guard let context, case .exchange(let current) = state, current === exchange else { return }
        exchange.deadline?.cancel()
        if let backend = exchange.backend {
            exchange.backend = nil
            backend.handler.owner = nil
            if exchange.backendKeepAlive, exchange.requestBodyDone, case .done = exchange.responseBody {
                runtime.pool.release(backend)
            } else {
                backend.channel.close(promise: nil)
            }
        }
        record(exchange, status: status)
        if exchange.closeClient || runtime.draining {
            state = .closing
            let unread = !exchange.requestBodyDone
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { [weak self] _ in
                // A body still on its way would turn a plain close into a reset.
                if unread { self?.lingeringClose() } else { context.close(promise: nil) }
            }
            return
        }
        context.flush()
        state = .awaitingHead
        setClientReading(true)
        armHeadTimer()
        process()
    }

    /// Ends an exchange with an error: a response of our own when none was
    /// started, else by closing.
    func fail(_ exchange: Exchange, status: Int, error: String) {
        runtime.logger.info("request failed", metadata: ["status": "\(status)", "error": "\(error)"])
        if exchange.responseStarted {
            exchange.closeClient = true
            exchange.backendKeepAlive = false
            finish(exchange, status: exchange.responseStatus ?? status)
            return
        }
        exchange.deadline?.cancel()
        if let backend = exchange.backend {
            backend.handler.owner = nil
            backend.channel.close(promise: nil)
            exchange.backend = nil
        }
        record(exchange, status: status)
        respondError(status: status, error: error, close: exchange.closeClient || !exchange.requestBodyDone, head: exchange.request)
    }

    func record(_ exchange: Exchange, status: Int) {
        runtime.metrics.record(status: status, destination: exchange.leaf.idText,
                               nanoseconds: (NIODeadline.now() - exchange.started).nanoseconds)
        releaseLoad(exchange)
    }

    /// Tells the balancer the attempt ended, with its time to the response
    /// head when there was one; once per exchange, whichever way it ends.
    func releaseLoad(_ exchange: Exchange) {
        guard !exchange.loadReleased else { return }
        exchange.loadReleased = true
        let now = NIODeadline.now()
        let rtt = exchange.responseHeadAt.map { UInt64(max(0, ($0 - exchange.started).nanoseconds)) }
        runtime.balancers.finished(exchange.leaf, exchange.endpoint, rtt: rtt, now: now.uptimeNanoseconds,
                                   policy: exchange.decision.policy.balance)
    }

    /// Writes an error response; keeps the connection when the request is
    /// fully read and the client wants to keep it.
    func respondError(status: Int, error: String, close: Bool, head: RequestHead?) {
        guard let context else { return }
        let close = close || runtime.draining
        let bytes = ErrorResponse.bytes(status: status, error: error, close: close)
        if close {
            state = .closing
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes))).assumeIsolated().whenComplete { [weak self] _ in
                self?.lingeringClose()
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        state = .awaitingHead
        setClientReading(true)
        armHeadTimer()
        process()
    }

    func respondAndClose(status: Int, error: String) {
        runtime.metrics.record(status: status, destination: "none", nanoseconds: nil)
        respondError(status: status, error: error, close: true, head: nil)
    }

    /// Closes after an error response the client may still be sending a
    /// body behind: shuts the write side, reads and drops what still
    /// arrives for up to two seconds, then closes. Closing at once with
    /// unread bytes would reset the connection, and a reset can destroy
    /// the response before the client reads it (nginx's lingering close).
    func lingeringClose() {
        guard let context else { return }
        setClientReading(true)
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) { [weak self] in
            self?.context?.close(promise: nil)
        }
    }
}
