import RouteLang

// MARK: - ArmHealth

/// Whether one destination (a split arm, a dtab union branch) can answer,
/// as a whole: the destination-level counterpart of an endpoint's accrual.
///
/// A destination sheds when every endpoint it has is failing (evicted, on
/// probation, or tripped but kept in by `max-ejection`): a split then gives
/// its share to the arms that can answer (`Destinations.pick`). After a
/// jittered backoff (`accrual ... backoff`, doubling per shed in a row), one
/// request probes it; an answer that succeeds brings it back, a failure
/// sheds it again for longer. Linkerd 2 and Envoy instead keep sending the
/// unhealthy arm its share, which fails.
///
/// Pure state with an injected clock; `DestinationHealth` keeps it beside
/// the endpoints' accrual under the same lock and publishes its gate.
public struct ArmHealth: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case serving
        /// Shed until `until`; `sheds` in a row so far (for the backoff).
        case shed(until: UInt64, sheds: Int)
        /// The backoff passed and one request is probing the destination.
        case probing(sheds: Int)
    }

    public enum Event: Sendable, Hashable {
        case shed(until: UInt64)
        case restored
    }

    public private(set) var state = State.serving

    public init() {}

    /// Folds an attempt's outcome in: `cannotAnswer` says whether every
    /// endpoint of the destination is failing after it.
    public mutating func record<R: RandomNumberGenerator>(success: Bool, cannotAnswer: Bool, now: UInt64, backoff: DurationRange,
                                                          random: inout R) -> Event? {
        switch state {
        case .serving:
            guard !success, cannotAnswer else { return nil }
            return shed(1, now: now, backoff: backoff, random: &random)
        case .shed:
            // An answer that started before the shed still proves the destination answers.
            guard success else { return nil }
            state = .serving
            return .restored
        case .probing(let sheds):
            if success {
                state = .serving
                return .restored
            }
            return shed(sheds + 1, now: now, backoff: backoff, random: &random)
        }
    }

    /// Back to serving (`accrual none`); `.restored` when it was shed.
    public mutating func reset() -> Event? {
        guard state != .serving else { return nil }
        state = .serving
        return .restored
    }

    /// Takes the probe once the backoff passed; false when it is not due
    /// (or another request has it).
    public mutating func claimProbe(now: UInt64) -> Bool {
        guard case .shed(let until, let sheds) = state, now >= until else { return false }
        state = .probing(sheds: sheds)
        return true
    }

    /// The probe ended without an answer that says anything (the client
    /// went away): the next request probes instead.
    public mutating func abandonProbe(now: UInt64) -> Bool {
        guard case .probing(let sheds) = state else { return false }
        state = .shed(until: now, sheds: sheds)
        return true
    }

    /// What a picker reads: 0 while serving, the time the probe is due
    /// while shed, `UInt64.max` while a probe is out.
    public var gate: UInt64 {
        switch state {
        case .serving: return 0
        case .shed(let until, _): return max(1, until)
        case .probing: return .max
        }
    }

    mutating func shed<R: RandomNumberGenerator>(_ sheds: Int, now: UInt64, backoff: DurationRange, random: inout R) -> Event {
        let until = now + RetryDecision.backoff(retry: sheds, range: backoff, random: &random).nanoseconds
        state = .shed(until: until, sheds: sheds)
        return .shed(until: until)
    }
}
