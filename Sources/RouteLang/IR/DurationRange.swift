// MARK: - DurationRange

/// `A..B`: a backoff that starts at A and grows to at most B.
public struct DurationRange: Sendable, Hashable {
    public var lower: Duration
    public var upper: Duration

    public init(_ lower: Duration, _ upper: Duration) {
        self.lower = lower
        self.upper = upper
    }
}
