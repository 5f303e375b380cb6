import Engine
import NIOCore
import Tracing
import RouteLang

// MARK: - Attempts

/// Carrying out the `RequestMachine`'s actions: pick an endpoint through
/// the destination layer, connect and send, back off, answer. Every event
/// goes back to the machine, which decides what comes next.
extension ProxyConnection {
    func perform(_ action: RequestMachine.Action) {
        guard let request else { return }
        switch action {
        case .pick(let attempt, let excluding):
            let now = NIODeadline.now()
            // The first attempt pays the request's deposit into the budget.
            let deposit = request.deposited ? nil : request.decision.policy.retry.budget
            request.deposited = true
            switch runtime.destinations.pick(request.decision, excluding: excluding, deposit: deposit, now: now.uptimeNanoseconds,
                                             random: &runtime.random) {
            case .failure(let unavailable):
                request.failureDetail = unavailable.reason
                perform(request.machine.picked(nil, now: now.uptimeNanoseconds, reason: unavailable.reason))
            case .success(let pick):
                begin(pick, attempt: attempt, now: now)
                perform(request.machine.picked(pick.endpoint, now: now.uptimeNanoseconds))
            }
        case .send(let endpoint, _, _, let attemptDeadline):
            send(to: endpoint, attemptDeadline: attemptDeadline)
        case .wait(let until):
            request.backoffUntil = until
            armTimer(at: until)
        case .respond:
            // The machine answers `respond` only from `attemptEnded` for a
            // response head, which forwards it there.
            break
        case .fail(let status, let error, _):
            // The glue's detail (the connect error, the bad answer) says more
            // than the machine's summary; the attempt count says what was tried.
            var message = request.failureDetail ?? "\(error) for \(request.decision.nameText)"
            let attempts = request.machine.attempt
            if attempts > 1 { message += " (\(attempts) attempts)" }
            failRequest(status: status, error: message, retryable: request.machine.retryableAnswer)
        }
    }

    /// Starts an attempt on `pick`, and counts it.
    private func begin(_ pick: Destinations.Pick, attempt: Int, now: NIODeadline) {
        let counters = runtime.metrics.attempts(pick.leaf.idText)
        counters.attempts.increment()
        if attempt > 1 { counters.retries.increment() }
        if pick.probe { counters.probes.increment() }
        if pick.armProbe { counters.armProbes.increment() }
        serial &+= 1
        guard let request else { return }
        let started = request.makeAttempt(pick: pick, serial: serial, started: now)
        if let tracer = runtime.tracer, let parent = request.span {
            started.span = RequestTracing.attemptSpan(tracer, parent: parent, method: request.head.method, endpoint: pick.endpoint,
                                                      destination: pick.leaf.idText, number: attempt,
                                                      http2: request.decision.policy.upstream.usesHTTP2(clientHTTP2: clientHTTP2))
        }
        request.attempt = started
        request.failureDetail = nil
        request.destination = pick.leaf.idText
        request.endpoint = pick.endpoint
    }

    /// Connects (or takes a pooled connection) and sends the head and body.
    private func send(to endpoint: Endpoint, attemptDeadline: UInt64?) {
        guard let request, let attempt = request.attempt else { return }
        let attemptSerial = attempt.serial
        // The request's own deadline is kept already; a shorter attempt deadline is kept too.
        if let attemptDeadline, attemptDeadline < (request.machine.deadline ?? .max) {
            attempt.deadlineAt = attemptDeadline
            armTimer(at: attemptDeadline)
        }
        let http2 = request.decision.policy.upstream.usesHTTP2(clientHTTP2: clientHTTP2)
        if let lease = http2 ? runtime.pool.takeStream(endpoint) : runtime.pool.takeIdle(endpoint) {
            connected(attemptSerial, .success(lease))
            return
        }
        (http2 ? runtime.pool.acquireStream(endpoint) : runtime.pool.acquire(endpoint)).assumeIsolated().whenComplete { [weak self] result in
            guard let self else {
                if case .success(let lease) = result { lease.link.close() }
                return
            }
            self.connected(attemptSerial, result)
        }
    }

    private func connected(_ attemptSerial: UInt64, _ result: Result<ConnectionPool.Lease, Error>) {
        guard case .forwarding = state, let request, let attempt = request.attempt, attempt.serial == attemptSerial else {
            if case .success(let lease) = result { runtime.pool.release(lease) }
            return
        }
        switch result {
        case .failure(let error):
            attemptFailed(.connectError, detail: "connect to \(attempt.pick.endpoint) \(ErrorWords.describe(error)) "
                          + "(for \(attempt.pick.leaf.idText))")
        case .success(let lease):
            attempt.lease = lease
            lease.link.owner = self
            let monotonicNow = NIODeadline.now().uptimeNanoseconds
            let deadline = request.machine.deadline.map {
                DeadlineHeader.value(deadline: $0, wallNow: Self.wallClock(), monotonicNow: monotonicNow)
            }
            // A gRPC call learns the time left too, in its own field.
            let grpcTimeout = request.machine.deadline.flatMap { deadline -> String? in
                guard request.head.isGRPC else { return nil }
                return GRPCTimeout.value(nanoseconds: deadline > monotonicNow ? deadline - monotonicNow : 0)
            }
            // Only a request without Host (HTTP/1.0) is sent the endpoint as Host: format it only then.
            let hostless = request.head.targetAuthority == nil && !request.head.fields.contains { $0.kind == .host }
            var context = HeadRewriter.RequestContext(clientAddress: clientAddress, logicalName: request.decision.nameText,
                                                      boundName: attempt.pick.leaf.idText, forwardDtab: listener.allowDtabOverride,
                                                      endpoint: hostless ? attempt.pick.endpoint.description : "", deadline: deadline,
                                                      grpcTimeout: grpcTimeout,
                                                      requestID: request.requestID,
                                                      traceFields: runtime.tracer.flatMap { tracer in
                                                          attempt.span.map { RequestTracing.fields(tracer, of: $0) } ?? request.traceFields })
            context.tls = listener.tls != nil
            let head = reusedHeadBuffer { HeadRewriter.request(request.head, context: context, into: &$0) }
            attempt.dispatched = NIODeadline.now()
            lease.link.write(head)
            // A retry sends again what earlier attempts took of the body.
            if request.body.sent > 0, let replay = request.body.replay {
                lease.link.write(replay)
            }
            // No autoRead here: a new connection reads, and the pool turns reading
            // back on when it takes a lease back (a setOption is a dynamic cast).
            forwardRequestBody()
        }
    }

    // MARK: Attempt outcomes

    /// An attempt ended before a response head: tell the machine, act on it.
    func attemptFailed(_ outcome: AttemptOutcome, detail: String?) {
        guard let request, request.attempt != nil else { return }
        let action = attemptEnded(outcome)
        request.attempt?.failure = detail ?? "\(outcome)"
        endAttempt(rtt: nil, accrual: request.machine.lastClass == .success)
        request.failureDetail = detail
        perform(action)
    }

    /// Reports an attempt's outcome to the machine (with the budget to
    /// draw a retry from) and returns its next action.
    func attemptEnded(_ outcome: AttemptOutcome, now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> RequestMachine.Action {
        let request = self.request!
        let leaf = request.attempt!.pick.leaf
        let budget = request.decision.policy.retry.budget
        request.machine.bodyReplayable = request.body.replayable
        let runtime = self.runtime
        return request.machine.ended(outcome, now: now, withdraw: {
            let granted = runtime.destinations.withdraw(leaf, budget: budget, now: now)
            if !granted { runtime.metrics.attempts(leaf.idText).budgetExhausted.increment() }
            return granted
        }, random: &runtime.random)
    }

    /// Ends the current attempt: its timer, its connection (closed; a
    /// finished response releases its own), the balancer's pending count
    /// and round trip, and accrual (`accrual` nil: nothing to say).
    func endAttempt(rtt: UInt64?, accrual success: Bool?) {
        guard let request, let attempt = request.attempt else { return }
        request.attempt = nil
        if let span = attempt.span {
            RequestTracing.end(span, status: attempt.status, error: attempt.failure, grpcStatus: attempt.grpcStatus)
        }
        if let lease = attempt.lease {
            lease.link.owner = nil
            lease.link.close()
        }
        record(attempt, rtt: rtt, success: success)
    }

    /// Tells the balancer and failure accrual how an attempt went.
    func record(_ attempt: Attempt, rtt: UInt64?, success: Bool?) {
        let now = NIODeadline.now().uptimeNanoseconds
        runtime.destinations.finished(attempt.pick, rtt: rtt, cold: attempt.lease?.fresh ?? false, now: now,
                                      policy: request!.decision.policy.balance)
        recordAccrual(attempt, success: success, now: now)
    }

    /// Tells failure accrual (proxy-wide) how an attempt went, and counts
    /// what that changed.
    func recordAccrual(_ attempt: Attempt, success: Bool?, now: UInt64) {
        if let success, runtime.options.endpointMetrics > 0 {
            let rtt = attempt.responseHeadAt.map { $0 - (attempt.dispatched ?? attempt.started) }
            runtime.metrics.endpoint(attempt.pick.leaf.idText, attempt.pick.endpoint, limit: runtime.options.endpointMetrics)
                .record(success: success, rtt: rtt.map { .nanoseconds($0.nanoseconds) })
        }
        let events = runtime.destinations.record(attempt.pick, success: success, now: now,
                                                 policy: request!.decision.policy.accrual, random: &runtime.random)
        guard events != .none else { return }
        let counters = runtime.metrics.attempts(attempt.pick.leaf.idText)
        switch events.endpoint {
        case .evicted(let endpoint, _)?:
            counters.evictions.increment()
            runtime.logger.notice("endpoint evicted", metadata: ["endpoint": "\(endpoint)", "dst": "\(attempt.pick.leaf.idText)"])
        case .restored(let endpoint)?:
            counters.restorations.increment()
            runtime.logger.notice("endpoint restored", metadata: ["endpoint": "\(endpoint)", "dst": "\(attempt.pick.leaf.idText)"])
        case .probing?, nil:
            break
        }
        switch events.arm {
        case .shed?:
            counters.sheds.increment()
            runtime.logger.notice("destination shed: every endpoint is failing, its split share goes to the others",
                                  metadata: ["dst": "\(attempt.pick.leaf.idText)"])
        case .restored?:
            counters.armRestorations.increment()
            runtime.logger.notice("destination restored: it answers again and takes back its share",
                                  metadata: ["dst": "\(attempt.pick.leaf.idText)"])
        case nil:
            break
        }
    }

    /// The request's deadline passed: mid-response the connection is cut;
    /// before it the attempt (a failure for accrual) or backoff ends and
    /// the client gets 504.
    func requestDeadlinePassed() {
        guard case .forwarding = state, let request else { return }
        request.deadlineAt = nil
        request.failureDetail = nil
        if request.responseStarted {
            failRequest(status: 504, error: "deadline exceeded")
            return
        }
        if request.attempt != nil { endAttempt(rtt: nil, accrual: false) }
        request.backoffUntil = nil
        perform(request.machine.deadlinePassed())
    }

    /// Forgets the request's times (the connection's timer, if it fires,
    /// finds nothing due).
    func cancelTimers() {
        request?.deadlineAt = nil
        request?.backoffUntil = nil
        request?.attempt?.deadlineAt = nil
    }
}
