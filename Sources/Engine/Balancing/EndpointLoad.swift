// MARK: - EndpointLoad

/// What the balancer knows of one endpoint: requests in flight and the
/// latency estimate. Kept per destination (bound name) and per event loop.
public struct EndpointLoad: Sendable, Hashable {
    public var pending = 0
    public var latency = PeakEWMA()

    public init(pending: Int = 0, latency: PeakEWMA = PeakEWMA()) {
        self.pending = pending
        self.latency = latency
    }

    /// Peak-EWMA's cost: expected latency times the work queued before a
    /// new request, `ewma x (pending + 1)`.
    public func cost(now: UInt64, decay: UInt64, defaultRTT: UInt64) -> Double {
        latency.estimate(now: now, decay: decay, defaultRTT: defaultRTT) * Double(pending + 1)
    }
}
