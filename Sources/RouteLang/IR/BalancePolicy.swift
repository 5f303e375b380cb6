// MARK: - BalancePolicy

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
