// MARK: - RetryPolicy

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
    /// `retry none`: nothing is retried.
    public static let disabled = RetryPolicy(classes: [], limit: 0, budget: .builtIn, backoff: nil, methods: [])

    /// Methods RFC 9110 section 9.2.2 defines as idempotent.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]
}
