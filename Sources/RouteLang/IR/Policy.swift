// MARK: - Policy

/// Everything that governs a request once its route is known. Each route's
/// policy is complete: built-in defaults, then `defaults { }`, then the
/// route's own items, merged option by option by the compiler.
public struct Policy: Sendable, Hashable {
    /// Deadline for the whole request, all attempts included.
    public var timeout: Duration?
    /// Deadline for one attempt; an attempt that hits it may be retried.
    public var attemptTimeout: Duration?
    public var retry: RetryPolicy
    public var accrual: AccrualPolicy
    public var balance: BalancePolicy
    /// Response classification rules, first match wins; unmatched 5xx are failures.
    public var classification: [ClassificationRule]

    public init(timeout: Duration? = nil, attemptTimeout: Duration? = nil, retry: RetryPolicy = .builtIn,
                accrual: AccrualPolicy = .builtIn, balance: BalancePolicy = .builtIn,
                classification: [ClassificationRule] = []) {
        self.timeout = timeout
        self.attemptTimeout = attemptTimeout
        self.retry = retry
        self.accrual = accrual
        self.balance = balance
        self.classification = classification
    }

    /// What applies when a file says nothing: no deadline, retry only
    /// connection failures (always safe), Linkerd's budget, consecutive-failure
    /// accrual, peak-EWMA balancing.
    public static let builtIn = Policy()
}

// MARK: - Durations

/// `A..B`: a backoff that starts at A and grows to at most B.
public struct DurationRange: Sendable, Hashable {
    public var lower: Duration
    public var upper: Duration

    public init(_ lower: Duration, _ upper: Duration) {
        self.lower = lower
        self.upper = upper
    }
}

// MARK: - Retry

public struct RetryPolicy: Sendable, Hashable {
    /// Which outcomes are retried.
    public var classes: [RetryClass]
    /// Maximum retries per request (attempts = limit + 1).
    public var limit: Int
    public var budget: RetryBudget
    /// Jittered exponential backoff between attempts; nil retries at once.
    public var backoff: DurationRange?
    /// Non-idempotent methods the operator declared safe to retry (`methods POST`).
    public var methods: [String]

    public init(classes: [RetryClass], limit: Int, budget: RetryBudget, backoff: DurationRange?, methods: [String]) {
        self.classes = classes
        self.limit = limit
        self.budget = budget
        self.backoff = backoff
        self.methods = methods
    }

    public static let builtIn = RetryPolicy(classes: [.connectError], limit: 2, budget: .builtIn, backoff: nil, methods: [])

    /// Methods RFC 9110 section 9.2.2 defines as idempotent.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]
}

/// Finagle's retry budget: retries may be at most `percent` of requests over
/// `ttl`, plus `minPerSecond` retries regardless.
public struct RetryBudget: Sendable, Hashable {
    public var percent: Double
    public var minPerSecond: Double
    public var ttl: Duration

    public init(percent: Double, minPerSecond: Double, ttl: Duration) {
        self.percent = percent
        self.minPerSecond = minPerSecond
        self.ttl = ttl
    }

    public static let builtIn = RetryBudget(percent: 20, minPerSecond: 10, ttl: .seconds(10))
}

/// An outcome class that `retry on` and `classify` name.
public enum RetryClass: Sendable, Hashable, CustomStringConvertible {
    /// A status range: `5xx` is 500...599, `502-504`, `503`.
    case status(ClosedRange<Int>)
    /// The connection could not be established (nothing was sent).
    case connectError
    /// The connection was reset after the request was sent.
    case reset
    case attemptTimeout
    /// A gRPC status code by name.
    case grpc(GRPCCode)

    public var description: String {
        switch self {
        case .status(let range):
            if range.lowerBound == range.upperBound { return String(range.lowerBound) }
            if range.lowerBound % 100 == 0, range.upperBound == range.lowerBound + 99 { return "\(range.lowerBound / 100)xx" }
            return "\(range.lowerBound)-\(range.upperBound)"
        case .connectError: return "connect-error"
        case .reset: return "reset"
        case .attemptTimeout: return "attempt-timeout"
        case .grpc(let code): return code.rawValue
        }
    }

    public static let keywords = ["connect-error", "reset", "attempt-timeout"] + GRPCCode.allCases.map(\.rawValue)
}

/// gRPC status codes (grpc/doc/statuscodes.md), spelt in kebab case.
public enum GRPCCode: String, Sendable, Hashable, CaseIterable {
    case cancelled, unknown, `internal`, unavailable, aborted, unauthenticated, unimplemented
    case invalidArgument = "invalid-argument"
    case deadlineExceeded = "deadline-exceeded"
    case notFound = "not-found"
    case alreadyExists = "already-exists"
    case permissionDenied = "permission-denied"
    case resourceExhausted = "resource-exhausted"
    case failedPrecondition = "failed-precondition"
    case outOfRange = "out-of-range"
    case dataLoss = "data-loss"
}

// MARK: - Failure accrual

public struct AccrualPolicy: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// Evict after N consecutive failures.
        case consecutive(Int)
        /// Evict when the success rate over `window` drops below `rate` (0...1),
        /// once at least `minRequests` were seen.
        case successRate(rate: Double, window: Duration, minRequests: Int)
    }

    public var mode: Mode
    /// Jittered exponential backoff before an evicted endpoint is probed again.
    public var backoff: DurationRange
    /// At most this percentage of a pool may be evicted at once.
    public var maxEjectionPercent: Double

    public init(mode: Mode, backoff: DurationRange, maxEjectionPercent: Double) {
        self.mode = mode
        self.backoff = backoff
        self.maxEjectionPercent = maxEjectionPercent
    }

    public static let builtIn = AccrualPolicy(mode: .consecutive(5), backoff: DurationRange(.seconds(5), .seconds(300)),
                                              maxEjectionPercent: 50)
    public static let defaultSuccessRateWindow = Duration.seconds(30)
    public static let defaultMinRequests = 10
}

// MARK: - Balancing

public enum BalancePolicy: Sendable, Hashable {
    /// Peak-EWMA with power of two choices: cost = EWMA latency x (pending + 1).
    case peakEWMA(decay: Duration, defaultRTT: Duration)
    case leastLoaded
    case roundRobin

    public static let builtIn = BalancePolicy.peakEWMA(decay: defaultDecay, defaultRTT: defaultRTT)
    /// Finagle's default EWMA decay window.
    public static let defaultDecay = Duration.seconds(10)
    /// The latency assumed for an endpoint before it has answered.
    public static let defaultRTT = Duration.milliseconds(100)

    public static let algorithms = ["peak-ewma", "least-loaded", "round-robin"]
}

// MARK: - Response classification

/// `classify SELECTOR as CLASS`.
public struct ClassificationRule: Sendable, Hashable {
    public var selector: RetryClass
    public var responseClass: ResponseClass

    public init(selector: RetryClass, responseClass: ResponseClass) {
        self.selector = selector
        self.responseClass = responseClass
    }
}

public enum ResponseClass: String, Sendable, Hashable, CaseIterable {
    case success
    case failure
    case retryableFailure = "retryable-failure"
}
