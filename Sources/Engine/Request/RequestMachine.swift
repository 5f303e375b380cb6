import RouteLang

// MARK: - RequestMachine

/// One request's life after routing, as a pure state machine: the deadline,
/// the attempts, the retry decision and the answer. Methods take events
/// (with the time, in nanoseconds of a monotonic clock) and return the
/// action the glue must carry out; the machine does no I/O, so HTTP/1.1 and
/// HTTP/2 can drive the same logic. Stack order (ARCHITECTURE.md): this
/// layer sits above the destination's balancer so that a retry picks again.
///
/// The HTTP/1.1 data plane (Proxy/Forwarding) drives it; HTTP/2 will too.
public struct RequestMachine: Sendable {
    public enum Action: Sendable, Hashable {
        /// Choose an endpoint (avoiding `excluding` where possible), then call `picked`.
        case pick(attempt: Int, excluding: Set<Endpoint>)
        /// Connect to and send to `endpoint`; the body is sent again from the
        /// buffer when `replayBody`. The attempt ends at `attemptDeadline` at
        /// the latest (nil: only the request's deadline).
        case send(endpoint: Endpoint, attempt: Int, replayBody: Bool, attemptDeadline: UInt64?)
        /// Wait until `until`, then call `backoffElapsed`.
        case wait(until: UInt64)
        /// Forward the response as it came (the last attempt's).
        case respond(retries: Int)
        /// Answer with an error of our own.
        case fail(status: Int, error: String, retries: Int)
    }

    enum State: Sendable, Hashable {
        case idle
        case picking
        case attempting(Endpoint)
        case waiting
        case done
    }

    public let policy: Policy
    public let method: String
    /// Whether the request body can be sent again: nothing of it was sent
    /// yet, or it was buffered whole within the replay limit. The glue
    /// updates it as the body streams, before reporting an attempt's end.
    public var bodyReplayable: Bool
    /// The request's deadline: `timeout`, shortened by the caller's
    /// propagated deadline when it came with one.
    public let deadline: UInt64?
    let propagatedDeadline: UInt64?
    /// The field the propagated deadline came in (`l5d-ctx-deadline`, `grpc-timeout`), for messages.
    let deadlineSource: String
    let classifier: ResponseClassifier
    private(set) var state = State.idle
    public private(set) var attempt = 0
    /// Endpoints earlier attempts failed on, for the next pick to avoid.
    public private(set) var tried: Set<Endpoint> = []
    /// What the last attempt's outcome counted as (for accrual and for
    /// `l5d-retryable` on the final response); nil before one ended.
    public private(set) var lastClass: ResponseClass?
    /// Whether the answer given is known safe to send again (Linkerd's
    /// `l5d-retryable`): the last outcome was a retryable failure of a
    /// request safe to repeat, not retried (limit or budget reached first).
    public private(set) var retryableAnswer = false

    public init(policy: Policy, method: String, bodyReplayable: Bool, now: UInt64, propagatedDeadline: UInt64? = nil,
                deadlineSource: String = "l5d-ctx-deadline") {
        self.deadlineSource = deadlineSource
        self.policy = policy
        self.method = method
        self.bodyReplayable = bodyReplayable
        self.classifier = ResponseClassifier(policy)
        self.propagatedDeadline = propagatedDeadline
        let own = policy.timeout.map { now + $0.nanoseconds }
        switch (own, propagatedDeadline) {
        case let (own?, propagated?): deadline = min(own, propagated)
        case let (own, propagated): deadline = own ?? propagated
        }
    }

    public var retries: Int { max(0, attempt - 1) }

    // MARK: Events

    /// The request was routed: the first attempt, unless the deadline has
    /// already passed (no attempt is started then).
    public mutating func start(now: UInt64) -> Action {
        guard state == .idle else { return .fail(status: 500, error: "request started twice", retries: retries) }
        if let deadline, now >= deadline { return finish(.fail(status: 504, error: deadlineMessage + " before the first attempt", retries: 0)) }
        return nextAttempt()
    }

    /// The balancer's choice; nil when no endpoint may take the request
    /// (`reason` says why, for `l5d-err`).
    public mutating func picked(_ endpoint: Endpoint?, now: UInt64, reason: @autoclosure () -> String = "no endpoints") -> Action {
        guard state == .picking else { return .fail(status: 500, error: "unexpected pick", retries: retries) }
        guard let endpoint else { return finish(.fail(status: 503, error: reason(), retries: retries)) }
        state = .attempting(endpoint)
        let attemptDeadline = policy.attemptTimeout.map { now + $0.nanoseconds }
        let effective: UInt64?
        switch (attemptDeadline, deadline) {
        case let (attempt?, request?): effective = min(attempt, request)
        case let (attempt, request): effective = attempt ?? request
        }
        return .send(endpoint: endpoint, attempt: attempt, replayBody: attempt > 1, attemptDeadline: effective)
    }

    /// The attempt ended. `withdraw` asks the destination's retry budget for
    /// one retry; it is called only when a retry is otherwise allowed.
    public mutating func ended<R: RandomNumberGenerator>(_ outcome: AttemptOutcome, now: UInt64, withdraw: () -> Bool,
                                                         random: inout R) -> Action {
        guard case .attempting(let endpoint) = state else { return .fail(status: 500, error: "unexpected outcome", retries: retries) }
        let classified = classifier.classify(outcome)
        lastClass = classified
        if let deadline, now >= deadline { return finish(.fail(status: 504, error: deadlineMessage, retries: retries)) }
        if RetryDecision.mayRetry(outcome, classified: classified, method: method, retriesSoFar: retries,
                                  policy: policy.retry, bodyReplayable: bodyReplayable) {
            let delay = RetryDecision.backoff(retry: attempt, range: policy.retry.backoff, random: &random).nanoseconds
            // No retry starts that cannot finish before the deadline.
            let fits = deadline.map { now + delay < $0 } ?? true
            if fits, withdraw() {
                // Kept only once a retry needs it: most requests never allocate the set.
                tried.insert(endpoint)
                if delay == 0 { return nextAttempt() }
                state = .waiting
                return .wait(until: now + delay)
            }
        }
        retryableAnswer = RetryDecision.isSafe(outcome, classified: classified, method: method, policy: policy.retry,
                                               bodyReplayable: bodyReplayable)
        switch outcome {
        case .response, .grpc:
            return finish(.respond(retries: retries))
        case .connectError:
            return finish(.fail(status: 502, error: "cannot connect to \(endpoint)", retries: retries))
        case .reset:
            return finish(.fail(status: 502, error: "\(endpoint) closed the connection", retries: retries))
        case .attemptTimeout:
            return finish(.fail(status: 504, error: "attempt to \(endpoint) timed out", retries: retries))
        }
    }

    /// A streamed answer ended, its head long forwarded: what it came to
    /// once whole (a gRPC status in its trailers, or a reset mid-body)
    /// replaces what the head said. Nothing is retried, since the client
    /// has part of the answer; the class feeds accrual and metrics.
    public mutating func answerEnded(_ outcome: AttemptOutcome) -> ResponseClass {
        let classified = classifier.classify(outcome)
        if state == .done { lastClass = classified }
        return classified
    }

    /// The backoff is over.
    public mutating func backoffElapsed(now: UInt64) -> Action {
        guard state == .waiting else { return .fail(status: 500, error: "unexpected backoff", retries: retries) }
        if let deadline, now >= deadline { return finish(.fail(status: 504, error: deadlineMessage, retries: retries)) }
        return nextAttempt()
    }

    /// The request's deadline passed while an attempt or a backoff was under way.
    public mutating func deadlinePassed() -> Action {
        finish(.fail(status: 504, error: deadlineMessage, retries: retries))
    }

    // MARK: Helpers

    /// Which deadline passed: the route's `timeout`, or the caller's.
    var deadlineMessage: String {
        if let timeout = policy.timeout, propagatedDeadline == nil || deadline != propagatedDeadline {
            return "deadline of \(DurationFormat.show(timeout)) exceeded"
        }
        return "deadline from \(deadlineSource) exceeded"
    }

    mutating func nextAttempt() -> Action {
        attempt += 1
        state = .picking
        return .pick(attempt: attempt, excluding: tried)
    }

    mutating func finish(_ action: Action) -> Action {
        state = .done
        return action
    }

}
