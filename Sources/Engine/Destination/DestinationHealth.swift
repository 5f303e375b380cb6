import RouteLang
import Synchronization

// MARK: - DestinationHealth

/// Failure accrual for one destination (bound name), shared by every event
/// loop so that an endpoint evicted on one loop is evicted on all.
///
/// Writes (an attempt's outcome, a probe claimed) take a lock that only
/// this destination's requests contend for. Reads on the request path take
/// none: `version` is an atomic that changes whenever the gates do, and a
/// loop re-reads `gates` (under the lock) only then, which is rare: an
/// eviction, a probe, a restoration.
public final class DestinationHealth: Sendable {
    public let id: Path
    private let accrual = Mutex(FailureAccrual())
    private let published = Atomic<UInt64>(0)
    /// Endpoints with anything to remember (a failure, an eviction): while
    /// there are none, a success under `consecutive` changes nothing and
    /// takes no lock, which is the common case.
    private let marked = Atomic<Int>(0)
    /// `ArmHealth.gate`, published for lock-free reads.
    private let arm = Atomic<UInt64>(0)

    public init(id: Path) {
        self.id = id
    }

    /// Changes whenever `gates` does.
    public var version: UInt64 { published.load(ordering: .acquiring) }

    /// The endpoints out of rotation now.
    public var gates: [Endpoint: EndpointGate] { accrual.withLock { $0.gates } }

    /// Every endpoint's accrual state, for the admin API.
    public var health: [Endpoint: EndpointHealth] { accrual.withLock { $0.health } }

    /// Whether the destination is shed as a whole, lock-free: 0 while it
    /// serves, the time its probe is due while shed, `UInt64.max` while a
    /// probe is out (see `ArmHealth`).
    public var armGate: UInt64 { arm.load(ordering: .acquiring) }

    /// The destination's arm state, for the admin API.
    public var armState: ArmHealth.State { accrual.withLock { $0.arm.state } }

    /// What an outcome changed: an endpoint's gate, the destination's.
    public struct Events: Sendable, Hashable {
        public var endpoint: FailureAccrual.Event?
        public var arm: ArmHealth.Event?

        public static let none = Events()
    }

    /// Records an attempt's outcome; `success` nil when it ended without
    /// one (the client went away), which only releases a probe (the
    /// destination's too when this attempt was its probe, `armProbe`).
    public func record<R: RandomNumberGenerator>(_ endpoint: Endpoint, success: Bool?, armProbe: Bool = false, now: UInt64,
                                                 policy: AccrualPolicy, endpoints: [Endpoint], random: inout R) -> Events {
        // A success racing another loop's first failure may skip resetting
        // that count; the failure then counts one more in a row, no worse.
        if success == true, marked.load(ordering: .acquiring) == 0, armGate == 0 {
            switch policy.mode {
            case .consecutive, .disabled: return .none
            case .successRate: break
            }
        }
        let (events, changed): (Events, Bool) = accrual.withLock { state in
            let wasMarked = state.isMarked(endpoint)
            defer {
                let isMarked = state.isMarked(endpoint)
                if isMarked != wasMarked { marked.add(isMarked ? 1 : -1, ordering: .releasing) }
                arm.store(state.arm.gate, ordering: .releasing)
            }
            guard let success else {
                let released = state.abandonProbe(endpoint, now: now)
                if armProbe { _ = state.abandonArmProbe(now: now) }
                return (.none, released)
            }
            var events = Events()
            events.endpoint = state.record(endpoint, success: success, now: now, policy: policy, endpoints: endpoints, random: &random)
            events.arm = state.recordArm(success: success, now: now, policy: policy, endpoints: endpoints, random: &random)
            return (events, events.endpoint != nil)
        }
        if changed { published.add(1, ordering: .releasing) }
        return events
    }

    /// Takes an evicted endpoint's probe when it is due.
    public func claimProbe(_ endpoint: Endpoint, now: UInt64) -> Bool {
        let claimed = accrual.withLock { $0.claimProbe(endpoint, now: now) }
        if claimed { published.add(1, ordering: .releasing) }
        return claimed
    }

    /// Gives back a destination probe no attempt was made for.
    public func releaseArmProbe(now: UInt64) {
        accrual.withLock { state in
            if state.abandonArmProbe(now: now) { arm.store(state.arm.gate, ordering: .releasing) }
        }
    }

    /// Takes the shed destination's probe when it is due (one request at a time).
    public func claimArmProbe(now: UInt64) -> Bool {
        let gate = armGate
        guard gate != 0, gate != .max, now >= gate else { return false }
        return accrual.withLock { state in
            guard state.claimArmProbe(now: now) else { return false }
            arm.store(state.arm.gate, ordering: .releasing)
            return true
        }
    }
}
