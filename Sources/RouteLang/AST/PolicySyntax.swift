// MARK: - PolicyItem

/// One policy line as written, in `defaults { }` or a route.
public struct PolicyItem: Sendable, Hashable {
    public var kind: Kind
    public var range: SourceRange

    public enum Kind: Sendable, Hashable {
        case timeout(Spanned<Duration>)
        case attemptTimeout(Spanned<Duration>)
        case retry(RetrySyntax)
        case accrual(AccrualSyntax)
        case balance(BalanceSyntax)
        case classify(ClassifySyntax)
        /// `upgrade websocket, …` or `upgrade none`: the protocols a
        /// request may switch to (RFC 9110 section 7.8), as written.
        case upgrade([Spanned<String>])
        /// `protocol http1 | h2 | auto`: what the proxy speaks to endpoints.
        case upstreamProtocol(Spanned<String>)
        /// `timeout none`, `attempt-timeout none`, `retry none`, `accrual
        /// none`: turns off a policy a route would inherit from `defaults`.
        /// The value is the keyword.
        case off(Spanned<String>)
    }

    /// The keyword that starts the item; two items with the same keyword conflict
    /// (except `classify`, whose rules accumulate).
    public var keyword: String {
        switch kind {
        case .timeout: return "timeout"
        case .attemptTimeout: return "attempt-timeout"
        case .retry: return "retry"
        case .accrual: return "accrual"
        case .balance: return "balance"
        case .classify: return "classify"
        case .upgrade: return "upgrade"
        case .upstreamProtocol: return "protocol"
        case .off(let keyword): return keyword.value
        }
    }

    public static let keywords = ["timeout", "attempt-timeout", "retry", "accrual", "balance", "classify", "upgrade", "protocol"]
    /// The policies `none` turns off.
    public static let switchable = ["timeout", "attempt-timeout", "retry", "accrual"]
}

// MARK: - Retry

/// `retry on CLASSES [limit N] [budget P%] [min R/s] [ttl D] [backoff A..B] [methods M, …]`.
public struct RetrySyntax: Sendable, Hashable {
    public var classes: [Spanned<RetryClass>]
    public var limit: Spanned<Int>?
    public var budget: Spanned<Double>?
    public var minRate: Spanned<Double>?
    public var ttl: Spanned<Duration>?
    public var backoff: Spanned<DurationRange>?
    public var methods: [Spanned<String>]

    public static let options = ["limit", "budget", "min", "ttl", "backoff", "methods"]
}

// MARK: - Accrual

/// `accrual consecutive N | success-rate R [window D] [min-requests M]`, then `[backoff A..B] [max-ejection P%] [fail-fast]`.
public struct AccrualSyntax: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case consecutive(Spanned<Int>)
        /// The rate as a fraction (0.9) whether written `0.9` or `90%`.
        case successRate(Spanned<Double>)
    }

    public var mode: Mode
    public var window: Spanned<Duration>?
    public var minRequests: Spanned<Int>?
    public var backoff: Spanned<DurationRange>?
    public var maxEjection: Spanned<Double>?
    /// `fail-fast`: with every endpoint evicted, answer 503 at once instead
    /// of sending to the least bad one.
    public var failFast: SourceRange?

    public static let modes = ["consecutive", "success-rate"]
    public static let options = ["window", "min-requests", "backoff", "max-ejection", "fail-fast"]
}

// MARK: - Balance

/// `balance peak-ewma [decay D] [default-rtt D] | least-loaded | round-robin`, then `[slow-start D]`.
public struct BalanceSyntax: Sendable, Hashable {
    public var algorithm: Spanned<String>
    public var decay: Spanned<Duration>?
    public var defaultRTT: Spanned<Duration>?
    public var slowStart: Spanned<Duration>?

    public init(algorithm: Spanned<String>, decay: Spanned<Duration>? = nil, defaultRTT: Spanned<Duration>? = nil,
                slowStart: Spanned<Duration>? = nil) {
        self.algorithm = algorithm
        self.decay = decay
        self.defaultRTT = defaultRTT
        self.slowStart = slowStart
    }

    /// Peak-EWMA's own options.
    public static let options = ["decay", "default-rtt"]
    /// Options of every algorithm.
    public static let commonOptions = ["slow-start"]
}

// MARK: - Classify

/// `classify CLASSES as success|failure|retryable-failure`.
public struct ClassifySyntax: Sendable, Hashable {
    public var selectors: [Spanned<RetryClass>]
    public var responseClass: Spanned<ResponseClass>
}
