// MARK: - AccrualPolicy

public struct AccrualPolicy: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// Evict after N consecutive failures.
        case consecutive(Int)
        /// Evict when the success rate over `window` drops below `rate` (0...1),
        /// once at least `minRequests` were seen.
        case successRate(rate: Double, window: Duration, minRequests: Int)
        /// `accrual none`: nothing is evicted and no destination is shed.
        case disabled
    }

    public var mode: Mode
    /// Jittered exponential backoff before an evicted endpoint is probed again.
    public var backoff: DurationRange
    /// At most this percentage of a pool may be evicted at once.
    public var maxEjectionPercent: Double
    /// With every endpoint evicted: answer 503 at once (true) or send to
    /// the endpoint whose eviction ends first (false, the default).
    public var failFast: Bool

    public init(mode: Mode, backoff: DurationRange, maxEjectionPercent: Double, failFast: Bool = false) {
        self.mode = mode
        self.backoff = backoff
        self.maxEjectionPercent = maxEjectionPercent
        self.failFast = failFast
    }

    public static let builtIn = AccrualPolicy(mode: .consecutive(5), backoff: DurationRange(.seconds(5), .seconds(300)),
                                              maxEjectionPercent: 50)
    /// `accrual none`.
    public static let disabled = AccrualPolicy(mode: .disabled, backoff: builtIn.backoff, maxEjectionPercent: 0)
    public static let defaultSuccessRateWindow = Duration.seconds(30)
    public static let defaultMinRequests = 10
}
