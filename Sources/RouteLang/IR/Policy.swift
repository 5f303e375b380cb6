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
    /// `balance ... slow-start D`: an endpoint that joins a destination
    /// ramps from 10% to its full weight over D; nil ramps nothing.
    public var slowStart: Duration?
    /// Response classification rules, first match wins; unmatched 5xx are failures.
    public var classification: [ClassificationRule]
    /// Protocols a request may upgrade to, lower-case; others pass as plain
    /// HTTP/1.1 with the Upgrade fields removed. `h2c` is never among them.
    public var upgrades: [String]
    /// What the proxy speaks to the endpoints of the route's destinations.
    public var upstream: UpstreamProtocol = .http1

    public static let defaultUpgrades = ["websocket"]

    public init(timeout: Duration? = nil, attemptTimeout: Duration? = nil, retry: RetryPolicy = .builtIn,
                accrual: AccrualPolicy = .builtIn, balance: BalancePolicy = .builtIn,
                classification: [ClassificationRule] = [], upgrades: [String] = Policy.defaultUpgrades) {
        self.timeout = timeout
        self.attemptTimeout = attemptTimeout
        self.retry = retry
        self.accrual = accrual
        self.balance = balance
        self.classification = classification
        self.upgrades = upgrades
    }

    /// What applies when a file says nothing: no deadline, retry only
    /// connection failures (always safe), Linkerd's budget, consecutive-failure
    /// accrual, peak-EWMA balancing.
    public static let builtIn = Policy()
}
