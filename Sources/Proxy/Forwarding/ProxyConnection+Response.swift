import Engine
import Logging
import NIOCore
import RouteLang
import Tracing

// MARK: - Response side

extension ProxyConnection {
    /// Bytes from the backend of the current attempt (or tunnel).
    func backendRead(_ buffer: ByteBuffer) {
        guard client != nil else { return }
        var buffer = buffer
        switch state {
        case .tunnel:
            writeToClient(buffer)
            flushClient()
            updateBackendReading()
        case .forwarding:
            guard let attempt = request?.attempt else { return }
            if case .awaitingHead = attempt.responseBody {
                if var pending = attempt.responseBuffer {
                    pending.writeBuffer(&buffer)
                    buffer = pending
                }
                attempt.responseBuffer = nil
                guard readResponseHead(&buffer) else { return }
            }
            forwardResponseBody(&buffer)
        case .awaitingHead, .closing:
            break
        }
    }

    /// Parses response heads; true when the final one was forwarded and
    /// body bytes follow in `pending`. False while more bytes are needed,
    /// or when the attempt ended (a retry, an error, an upgrade).
    private func readResponseHead(_ pending: inout ByteBuffer) -> Bool {
        guard let request else { return false }
        let parser = ResponseHeadParser(limits: runtime.options.limits)
        while true {
            let outcome = pending.withUnsafeReadableBytes { raw in
                parser.parse(raw.bindMemory(to: UInt8.self), requestMethod: request.head.method, storage: &responseHeadStorage)
            }
            switch outcome {
            case .incomplete:
                request.attempt?.responseBuffer = pending
                return false
            case .failure(let error):
                // Not an answer the client may see: a failure like a reset.
                attemptFailed(.reset, detail: "invalid response from \(request.attempt!.pick.endpoint): \(error.detail)")
                return false
            case .complete(let head):
                pending.moveReaderIndex(forwardBy: head.bytes.count)
                if head.isInformational {
                    // 100 Continue and friends go to the client as they are.
                    writeToClient(allocator.buffer(bytes: head.bytes))
                    flushClient()
                    responseHeadStorage.recycle(bytes: head.bytes, fields: head.fields)
                    continue
                }
                let forwarded = responseHead(head, pending: &pending)
                responseHeadStorage.recycle(bytes: head.bytes, fields: head.fields)
                return forwarded
            }
        }
    }

    /// A final response head: the machine decides (at the head, before
    /// anything reaches the client) whether it is the answer or a retry.
    private func responseHead(_ head: ResponseHead, pending: inout ByteBuffer) -> Bool {
        guard let request, let attempt = request.attempt else { return false }
        let headAt = NIODeadline.now()
        let rtt = UInt64(max(0, (headAt - (attempt.dispatched ?? attempt.started)).nanoseconds))
        if head.status == 101 {
            upgraded(head, pending: &pending, rtt: rtt)
            return false
        }
        attempt.deadlineAt = nil
        attempt.status = head.status
        attempt.grpcStatus = GRPCStatus.number(in: head)
        let outcome = GRPCStatus.outcome(attempt.grpcStatus, status: head.status)
        let action = attemptEnded(outcome, now: headAt.uptimeNanoseconds)
        let success = request.machine.lastClass == .success
        guard case .respond = action else {
            // Discarded: its connection goes (the body is not read), and the
            // machine's next step follows.
            endAttempt(rtt: rtt, accrual: success)
            request.failureDetail = "\(attempt.pick.endpoint) answered \(head.status)"
            perform(action)
            return false
        }
        attempt.responseHeadAt = headAt
        attempt.backendKeepAlive = head.keepAlive
        request.responseStatus = head.status
        // Accrual hears the answer now; the balancer when the body is done.
        // A gRPC call whose head has no status ends with one in its
        // trailers: that is the answer accrual and metrics hear.
        if request.head.isGRPC, case .response = outcome, success {
            attempt.outcomeInTrailers = true
        } else {
            recordAccrual(attempt, success: success, now: headAt.uptimeNanoseconds)
        }
        // A response that arrives before the request body is in makes the
        // client connection unusable afterwards.
        if !request.body.isDone || head.framing == .untilClose || runtime.draining { request.closeClient = true }
        writeToClient(reusedHeadBuffer {
            HeadRewriter.response(head, clientVersion: request.head.version, closeClient: request.closeClient,
                                  retryable: request.machine.retryableAnswer, into: &$0)
        })
        switch head.framing {
        case .none: attempt.responseBody = .done
        case .contentLength(let length): attempt.responseBody = .remaining(length)
        case .chunked: attempt.responseBody = .chunked(ChunkedDecoder(limits: runtime.options.limits))
        case .untilClose: attempt.responseBody = .untilClose
        }
        return true
    }

    /// A 101 answer: the connection becomes a tunnel when the request asked
    /// for an upgrade the route allows; any other 101 is a broken backend.
    private func upgraded(_ head: ResponseHead, pending: inout ByteBuffer, rtt: UInt64) {
        guard let request, let attempt = request.attempt, let lease = attempt.lease else { return }
        guard request.head.upgrade != nil else {
            // No upgrade was forwarded, so none may be accepted.
            attemptFailed(.reset, detail: "\(attempt.pick.endpoint) switched protocols without an upgrade the route allows")
            return
        }
        writeToClient(HeadRewriter.response(head, clientVersion: request.head.version, closeClient: false, allocator: allocator))
        if pending.readableBytes > 0 { writeToClient(pending) }
        flushClient()
        cancelTimers()
        record(attempt, rtt: rtt, success: true)
        if let span = attempt.span { RequestTracing.end(span, status: 101) }
        count(request, status: 101, destination: attempt.pick.leaf.idText)
        self.request = nil
        state = .tunnel(lease)
        if var early = inbound, early.readableBytes > 0, let rest = early.readSlice(length: early.readableBytes) {
            lease.link.write(rest)
            lease.link.flush()
            inbound = early
        }
        updateClientReading()
    }

    /// Streams response body bytes to the client.
    private func forwardResponseBody(_ buffer: inout ByteBuffer) {
        guard let request, let attempt = request.attempt else { return }
        switch attempt.responseBody {
        case .awaitingHead, .done:
            break
        case .untilClose:
            if buffer.readableBytes > 0 { writeToClient(buffer) }
        case .remaining(let remaining):
            let take = Int(min(remaining, UInt64(buffer.readableBytes)))
            if take > 0, let slice = buffer.readSlice(length: take) { writeToClient(slice) }
            attempt.responseBody = remaining == UInt64(take) ? .done : .remaining(remaining - UInt64(take))
        case .chunked(var decoder):
            do {
                let consumed = try buffer.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                    try decoder.decode(raw.bindMemory(to: UInt8.self)) { _ in }
                }
                if consumed > 0, let slice = buffer.readSlice(length: consumed) { writeToClient(slice) }
                attempt.responseBody = decoder.isFinished ? .done : .chunked(decoder)
                if decoder.isFinished, attempt.outcomeInTrailers {
                    attempt.grpcStatus = GRPCStatus.number(inTrailers: decoder.trailers)
                }
            } catch {
                // The head is already out; all that is left is to stop.
                attempt.backendKeepAlive = false
                request.closeClient = true
                finish()
                return
            }
        }
        if case .done = attempt.responseBody {
            // Bytes after a complete response mean the backend is out of step.
            if buffer.readableBytes > 0 { attempt.backendKeepAlive = false }
            finish()
            return
        }
        flushClient()
        if !clientIsWritable { updateBackendReading() }
    }

    func backendWritabilityChanged(_ writable: Bool) {
        updateClientReading()
    }

    /// The backend closed its connection.
    func backendClosed() {
        switch state {
        case .tunnel:
            closeClient()
        case .forwarding:
            guard let request, let attempt = request.attempt else { return }
            attempt.lease = nil
            switch attempt.responseBody {
            case .untilClose:
                request.closeClient = true
                finish()
            case .awaitingHead:
                attemptFailed(.reset, detail: "\(attempt.pick.endpoint) closed the connection before responding")
            case .remaining, .chunked:
                // A truncated response cannot be repaired: close the client too.
                request.closeClient = true
                finish()
            case .done:
                break
            }
        case .awaitingHead, .closing:
            break
        }
    }

    /// The endpoint did not take the request (an HTTP/2 GOAWAY past its
    /// stream, or REFUSED_STREAM): as after a failed connect, any request
    /// may go again, whatever its method.
    func backendRefused() {
        guard case .forwarding = state, let request, let attempt = request.attempt, case .awaitingHead = attempt.responseBody else {
            backendClosed()
            return
        }
        attempt.lease = nil
        attemptFailed(.connectError, detail: "\(attempt.pick.endpoint) went away without taking the request (for \(attempt.pick.leaf.idText))")
    }

    // MARK: Ending a request

    /// Counts an answered request under its route, logical name and
    /// destination (all `none` for one answered before it was routed;
    /// `head`: its head, when it was read, for the access log).
    func count(_ request: InFlightRequest?, status: Int, destination: String = "none", end: NIODeadline = .now(),
               head: RequestHead? = nil) {
        guard let request else {
            runtime.metrics.record(.none, status: status, classification: nil, attempts: 0, nanoseconds: nil)
            if let head, let log = runtime.accessLog {
                log.append(AccessLog.Line(route: "none", name: "none", destination: "none", endpoint: nil, method: head.method,
                                          host: head.authority, path: head.target, status: status, durationMs: 0, attempts: 0,
                                          requestID: runtime.requestID(for: head).description, protocolVersion: protocolVersion(head)))
            }
            return
        }
        let labels = ProxyMetrics.RequestLabels(route: request.decision.routeName ?? "default", name: request.decision.nameText,
                                                destination: destination)
        let nanoseconds = (end - request.started).nanoseconds
        runtime.metrics.record(labels, status: status, classification: request.machine.lastClass, attempts: request.machine.attempt,
                               nanoseconds: nanoseconds)
        if let span = request.span {
            request.span = nil
            RequestTracing.end(span, status: status, grpcStatus: request.attempt?.grpcStatus)
        }
        runtime.accessLog?.append(AccessLog.Line(
            route: labels.route, name: labels.name, destination: destination, endpoint: request.endpoint?.description,
            method: request.head.method, host: request.head.authority, path: request.head.target, status: status,
            durationMs: Double(nanoseconds) / 1e6, attempts: request.machine.attempt, requestID: request.requestID.description,
            protocolVersion: protocolVersion(request.head), grpcStatus: request.attempt?.grpcStatus))
    }

    /// What the client spoke, for the access log.
    private func protocolVersion(_ head: RequestHead) -> String {
        clientHTTP2 ? "HTTP/2" : head.version == .http10 ? "HTTP/1.0" : "HTTP/1.1"
    }

    /// The response is complete (or cut short after its head was sent).
    func finish() {
        guard client != nil, case .forwarding = state, let request, let attempt = request.attempt else { return }
        cancelTimers()
        if let backend = attempt.lease {
            backend.link.owner = nil
            if attempt.backendKeepAlive, request.body.isDone, case .done = attempt.responseBody {
                runtime.pool.release(backend)
            } else {
                backend.link.close()
            }
        }
        let rtt = attempt.responseHeadAt.map { UInt64(max(0, ($0 - (attempt.dispatched ?? attempt.started)).nanoseconds)) }
        let end = NIODeadline.now()
        if attempt.outcomeInTrailers { streamedAnswerEnded(request, attempt, now: end.uptimeNanoseconds) }
        if let span = attempt.span { RequestTracing.end(span, status: attempt.status, grpcStatus: attempt.grpcStatus) }
        runtime.destinations.finished(attempt.pick, rtt: rtt, cold: attempt.lease?.fresh ?? false, now: end.uptimeNanoseconds,
                                      policy: request.decision.policy.balance)
        count(request, status: request.responseStatus ?? 502, destination: attempt.pick.leaf.idText, end: end)
        self.request = nil
        if request.closeClient || runtime.draining {
            state = .closing
            // A body still on its way would turn a plain close into a reset.
            closeClientWhenSent(linger: !request.body.isDone)
            return
        }
        flushClient()
        state = .awaitingHead
        setClientReading(true)
        armHeadTimer()
        process()
    }

    /// A gRPC call's answer ended: classified by the status in its trailers
    /// (the head's HTTP status without one), or as a reset when it was cut
    /// short, and accrual hears that.
    private func streamedAnswerEnded(_ request: InFlightRequest, _ attempt: Attempt, now: UInt64) {
        let outcome: AttemptOutcome
        if case .done = attempt.responseBody {
            outcome = GRPCStatus.outcome(attempt.grpcStatus, status: attempt.status ?? 200)
        } else {
            outcome = .reset
        }
        recordAccrual(attempt, success: request.machine.answerEnded(outcome) == .success, now: now)
    }

    /// Ends the request with an error: a response of our own when none was
    /// started, else by closing.
    func failRequest(status: Int, error: String, retryable: Bool = false) {
        guard let request else { return }
        // The fields are built only when the line is written (autoclosures).
        let (info, heldBack) = runtime.failureLog.admit(now: NIODeadline.now().uptimeNanoseconds)
        runtime.logger.log(level: info ? .info : .debug, "request failed",
                           metadata: heldBack > 0 ? ["status": "\(status)", "error": "\(error)", "held_back": "\(heldBack)"]
                                                  : ["status": "\(status)", "error": "\(error)"])
        if request.responseStarted {
            request.closeClient = true
            request.attempt?.backendKeepAlive = false
            finish()
            return
        }
        cancelTimers()
        endAttempt(rtt: nil, accrual: nil)
        count(request, status: status, destination: request.destination)
        self.request = nil
        respondError(status: status, error: error, close: request.closeClient || !request.body.isDone, retryable: retryable,
                     grpc: request.head.isGRPC)
    }

    /// Writes an error response; keeps the connection when the request is
    /// fully read and the client wants to keep it.
    func respondError(status: Int, error: String, close: Bool, retryable: Bool = false, grpc: Bool = false) {
        guard client != nil else { return }
        let close = close || runtime.draining
        writeToClient(allocator.buffer(bytes: ErrorResponse.bytes(status: status, error: error, close: close, retryable: retryable,
                                                                  grpc: grpc)))
        if close {
            state = .closing
            closeClientWhenSent(linger: true)
            return
        }
        flushClient()
        state = .awaitingHead
        setClientReading(true)
        armHeadTimer()
        process()
    }

    func respondAndClose(status: Int, error: String) {
        count(nil, status: status)
        respondError(status: status, error: error, close: true)
    }
}
