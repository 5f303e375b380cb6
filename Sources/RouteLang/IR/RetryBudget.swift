// MARK: - RetryBudget

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
