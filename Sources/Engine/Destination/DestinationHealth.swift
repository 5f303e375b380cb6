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

    public init(id: Path) {
        self.id = id
    }

    /// Changes whenever `gates` does.
    public var version: UInt64 { published.load(ordering: .acquiring) }

    /// The endpoints out of rotation now.
    public var gates: [Endpoint: EndpointGate] { accrual.withLock { $0.gates } }

    /// Every endpoint's accrual state, for the admin API.
    public var health: [Endpoint: EndpointHealth] { accrual.withLock { $0.health } }

    /// Records an attempt's outcome; `success` nil when it ended without
    /// one (the client went away), which only releases a probe.
    public func record<R: RandomNumberGenerator>(_ endpoint: Endpoint, success: Bool?, now: UInt64, policy: AccrualPolicy,
                                                 endpoints: [Endpoint], random: inout R) -> FailureAccrual.Event? {
        // A success racing another loop's first failure may skip resetting
        // that count; the failure then counts one more in a row, no worse.
        if success == true, case .consecutive = policy.mode, marked.load(ordering: .acquiring) == 0 { return nil }
        let (event, changed): (FailureAccrual.Event?, Bool) = accrual.withLock { state in
            let wasMarked = state.isMarked(endpoint)
            defer {
                let isMarked = state.isMarked(endpoint)
                if isMarked != wasMarked { marked.add(isMarked ? 1 : -1, ordering: .releasing) }
            }
            guard let success else { return (nil, state.abandonProbe(endpoint, now: now)) }
            let event = state.record(endpoint, success: success, now: now, policy: policy, endpoints: endpoints, random: &random)
            return (event, event != nil)
        }
        if changed { published.add(1, ordering: .releasing) }
        return event
    }

    /// Takes an evicted endpoint's probe when it is due.
    public func claimProbe(_ endpoint: Endpoint, now: UInt64) -> Bool {
        let claimed = accrual.withLock { $0.claimProbe(endpoint, now: now) }
        if claimed { published.add(1, ordering: .releasing) }
        return claimed
    }
}
