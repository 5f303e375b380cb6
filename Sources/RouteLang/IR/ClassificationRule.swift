// MARK: - ClassificationRule

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
