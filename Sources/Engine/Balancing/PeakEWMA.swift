import Glibc

// MARK: - PeakEWMA

/// One endpoint's latency estimate (Finagle's and linkerd2-proxy's peak
/// EWMA): a slower answer is adopted at once, a faster one only gradually,
/// so an endpoint that turns slow loses traffic immediately. Read, the
/// estimate decays toward zero over `decay` (as if time passed with no
/// answer), so an endpoint avoided for being slow is tried again later.
/// Times are nanoseconds of an injected monotonic clock.
///
/// Each faster answer moves the estimate at least `sampleWeight` of the
/// way toward it, however little time passed: with decay by time alone,
/// one early outlier (a cold connection, a pause) dominates for seconds
/// while requests arrive microseconds apart, and power of two choices then
/// sends an endpoint pair's traffic to whichever happened to look faster.
public struct PeakEWMA: Sendable, Hashable {
    /// The least weight a faster answer gets (a sample EWMA's alpha).
    public static let sampleWeight = 0.1

    /// The estimate; nil until the first answer.
    public private(set) var nanoseconds: Double?
    private var updated: UInt64 = 0
    /// Whether the estimate rests on cold answers only (see `observe`).
    private var provisional = false

    public init() {}

    /// Whether a warm answer has been measured: an estimate seeded by cold
    /// answers alone is priced like no estimate (`Balancer.peakCost`).
    public var isMeasured: Bool { nanoseconds != nil && !provisional }

    /// Records one round trip that ended at `now`. A `cold` one (the first
    /// exchange on a new connection) carries the connection's warm-up on
    /// top of the endpoint's latency: it seeds an estimate, but is never
    /// adopted as a peak, and the first warm answer replaces what cold ones
    /// seeded; otherwise one warm-up would price an endpoint out for seconds.
    public mutating func observe(rtt: UInt64, now: UInt64, decay: UInt64, cold: Bool = false) {
        let sample = Double(rtt)
        guard let current = nanoseconds, !(provisional && !cold) else {
            nanoseconds = sample
            updated = now
            provisional = cold
            return
        }
        if cold, sample > current { return }
        if sample > current {
            nanoseconds = sample
        } else {
            // The older the estimate, the less it weighs: w = e^(-elapsed/decay).
            let elapsed = Double(now &- updated)
            let weight = decay == 0 ? 0 : min(1 - Self.sampleWeight, exp(-elapsed / Double(decay)))
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
