import RouteLang

// MARK: - ResponseClassifier

/// Classification as data (`classify … as …`, then `retry on …`): what an
/// attempt's outcome counts as, for accrual and for the retry decision.
///
/// The route's rules come first (the compiler puts local rules before
/// inherited ones) and the first that names the outcome wins. Without one:
/// a connect error is a retryable failure (nothing was sent, so repeating
/// is always safe); a 5xx, a reset or an attempt timeout is a failure,
/// retryable when `retry on` names it; anything else is a success.
public struct ResponseClassifier: Sendable, Hashable {
    public var rules: [ClassificationRule]
    public var retryClasses: [RetryClass]

    public init(_ policy: Policy) {
        self.rules = policy.classification
        self.retryClasses = policy.retry.classes
    }

    public func classify(_ outcome: AttemptOutcome) -> ResponseClass {
        if let rule = rules.first(where: { outcome.matches($0.selector) }) { return rule.responseClass }
        let failed: Bool
        switch outcome {
        case .connectError: return .retryableFailure
        case .response(let status): failed = (500...599).contains(status)
        case .reset, .attemptTimeout: failed = true
        case .grpc(let code): failed = code != .cancelled
        }
        guard failed else { return .success }
        return retryClasses.contains(where: outcome.matches) ? .retryableFailure : .failure
    }
}
