import RouteLang
import Synchronization

// MARK: - HealthBoard

/// The proxy-wide part of per-destination state, made once per process so
/// it survives reloads: each destination's failure accrual, and the load
/// figures each event loop publishes for the admin API. An event loop
/// looks a destination up here once and keeps the reference.
public final class HealthBoard: Sendable {
    private let destinations = Mutex<[Path: DestinationHealth]>([:])
    private let loads = Mutex<[Int: [Path: [Endpoint: EndpointLoad]]]>([:])

    public init() {}

    /// The destination's shared state, made on first use.
    public func health(for id: Path) -> DestinationHealth {
        destinations.withLock { all in
            if let known = all[id] { return known }
            let made = DestinationHealth(id: id)
            all[id] = made
            return made
        }
    }

    /// The destination's shared state if any request made it.
    public func existing(_ id: Path) -> DestinationHealth? {
        destinations.withLock { $0[id] }
    }

    public var all: [DestinationHealth] { destinations.withLock { Array($0.values) } }

    // MARK: Load reports

    /// One loop's latest balancer figures (replacing its previous ones).
    public func publish(loop: Int, _ figures: [Path: [Endpoint: EndpointLoad]]) {
        loads.withLock { $0[loop] = figures }
    }

    /// Every loop's figures, by loop index.
    public var loadReports: [Int: [Path: [Endpoint: EndpointLoad]]] { loads.withLock { $0 } }
}
