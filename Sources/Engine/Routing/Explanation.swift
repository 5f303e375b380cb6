import RouteLang

// MARK: - Explanation

/// Everything routing decided about one request and why: the route that
/// matched and the more specific candidates that did not (with the
/// condition that ruled each out), the logical name, the whole delegation,
/// the bound destinations with their shares, and the policy in force.
public struct Explanation: Sendable {
    public struct Rejection: Sendable, Hashable {
        public var route: String
        public var failed: Condition
    }

    /// A route that matched too but lost on precedence, and why.
    public struct Outranked: Sendable, Hashable {
        public var route: String
        public var reason: String
    }

    public var request: RequestFacts
    public var route: String?
    public var rejected: [Rejection]
    public var outranked: [Outranked] = []
    public var name: Path?
    public var dtab: Dtab?
    public var resolution: Delegator.Resolution?
    public var policy: Policy?
    public var failure: RoutingFailure?
    /// Destinations shed now (every endpoint failing): a running proxy
    /// fills it in; their share goes to the other arms until a probe succeeds.
    public var shed: Set<Path> = []

    /// The status the proxy would answer without reaching a backend, if any.
    public var status: Int? { failure?.status }

    public var destinations: [(name: BoundName, share: Double)] {
        resolution?.tree.shares ?? []
    }

    /// Explains how `snapshot` routes `request` (no cache: every step is recomputed).
    public static func explain(_ snapshot: RoutingSnapshot, request: RequestFacts, dtabOverride: String? = nil) -> Explanation {
        let (routeIndex, rejected) = snapshot.tree.explainMatch(request)
        let routes = snapshot.config.routes
        var explanation = Explanation(
            request: request, route: routeIndex.map { routes[$0].name },
            rejected: rejected.map { Rejection(route: routes[$0.route].name, failed: $0.failed) })
        if let routeIndex {
            explanation.outranked = snapshot.tree.outranked(request, winner: routeIndex).map {
                Outranked(route: routes[$0.route].name, reason: $0.reason)
            }
        }
        switch Router.logicalName(snapshot, route: routeIndex, request: request) {
        case .failure(let failure):
            explanation.failure = failure
            return explanation
        case .success(let name):
            explanation.name = name
            explanation.policy = routeIndex.map { routes[$0].policy } ?? snapshot.config.defaults
        }
        guard let name = explanation.name else { return explanation }
        var override: Dtab?
        if let dtabOverride {
            switch DtabParser.parseDtab(dtabOverride, name: "l5d-dtab") {
            case .success(let parsed): override = parsed
            case .failure(let error):
                explanation.failure = RoutingFailure(kind: .malformedOverride, message: "malformed l5d-dtab: \(error)", name: name)
                return explanation
            }
        }
        let delegator = snapshot.delegator(route: routeIndex, override: override)
        explanation.dtab = delegator.dtab
        let resolution = delegator.bind(name)
        explanation.resolution = resolution
        if case .failure(let failure) = Router.bind(snapshot, route: routeIndex, name: name, dtabOverride: dtabOverride) {
            explanation.failure = failure
        }
        return explanation
    }
}
