import Glibc

// MARK: - PeakEWMA

/// One endpoint's latency estimate (Finagle's and linkerd2-proxy's peak
/// EWMA): a slower answer is adopted at once, a faster one only gradually,
/// so an endpoint that turns slow loses traffic immediately. Read, the
/// estimate decays toward zero over `decay` (as if time passed with no
/// answer), so an endpoint avoided for being slow is tried again later.
/// Times are nanoseconds of an injected monotonic clock.
public struct PeakEWMA: Sendable, Hashable {
    /// The estimate; nil until the first answer.
    public private(set) var nanoseconds: Double?
    private var updated: UInt64 = 0

    public init() {}

    /// Records one round trip that ended at `now`.
    public mutating func observe(rtt: UInt64, now: UInt64, decay: UInt64) {
        let sample = Double(rtt)
        guard let current = nanoseconds else {
            nanoseconds = sample
            updated = now
            return
        }
        if sample > current {
            nanoseconds = sample
        } else {
            // The older the estimate, the less it weighs: w = e^(-elapsed/decay).
            let elapsed = Double(now &- updated)
            let weight = decay == 0 ? 0 : exp(-elapsed / Double(decay))
            nanoseconds = current * weight + sample * (1 - weight)
        }
        updated = now
    }

    /// The estimate at `now`, decayed since the last answer, or
    /// `defaultRTT` for an endpoint never measured.
    public func estimate(now: UInt64, decay: UInt64, defaultRTT: UInt64) -> Double {
        guard let nanoseconds else { return Double(defaultRTT) }
        guard decay > 0, now > updated else { return nanoseconds }
        return nanoseconds * exp(-Double(now - updated) / Double(decay))
    }
}
