import RouteLang

// MARK: - RetryDecision

/// Whether an attempt's outcome may be retried, before the budget is asked:
/// never a success; only while attempts remain; a connect error always
/// (nothing reached the backend); anything else only for an idempotent
/// method (RFC 9110 section 9.2.2) or one the route opts in
/// (`retry … methods POST`), and only when the body can be replayed.
public enum RetryDecision {
    public static func mayRetry(_ outcome: AttemptOutcome, classified: ResponseClass, method: String, retriesSoFar: Int,
                                policy: RetryPolicy, bodyReplayable: Bool) -> Bool {
        retriesSoFar < policy.limit
            && isSafe(outcome, classified: classified, method: method, policy: policy, bodyReplayable: bodyReplayable)
    }

    /// Whether the request may be sent again after `outcome`, limits and
    /// budgets aside: what `l5d-retryable` tells the caller.
    public static func isSafe(_ outcome: AttemptOutcome, classified: ResponseClass, method: String, policy: RetryPolicy,
                              bodyReplayable: Bool) -> Bool {
        guard classified == .retryableFailure else { return false }
        if case .connectError = outcome { return true }
        let safe = RetryPolicy.idempotentMethods.contains(method) || policy.methods.contains(method)
        return safe && bodyReplayable
    }

    /// Jittered exponential backoff before retry number `retry` (1-based):
    /// `lower x 2^(retry-1)` capped at `upper`, then a uniform draw from its
    /// upper half, so synchronised clients spread out. Zero without backoff.
    public static func backoff<R: RandomNumberGenerator>(retry: Int, range: DurationRange?, random: inout R) -> Duration {
        guard let range else { return .zero }
        let lower = Double(range.lower.components.seconds) + Double(range.lower.components.attoseconds) / 1e18
        let upper = Double(range.upper.components.seconds) + Double(range.upper.components.attoseconds) / 1e18
        let ceiling = min(upper, lower * pow2(max(0, retry - 1)))
        return .nanoseconds(Int64(Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling), using: &random) * 1e9))
    }

    static func pow2(_ exponent: Int) -> Double {
        exponent >= 62 ? Double.greatestFiniteMagnitude : Double(1 << exponent)
    }
}
