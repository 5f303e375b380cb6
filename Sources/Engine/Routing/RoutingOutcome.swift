import RouteLang

// MARK: - RoutingDecision

/// Where a request goes and under which policy. Immutable and shared: the
/// router caches one per (route, override, name) and hands it out as is.
public final class RoutingDecision: Sendable {
    /// The route that matched, or nil when the request was identified.
    public let route: Int?
    public let routeName: String?
    /// The logical name (`/svc/users`) before delegation.
    public let name: Path
    /// The bound tree: a leaf or a weighted union of bound names.
    public let bound: NameTree<BoundName>
    public let policy: Policy
    /// `name` in show form, made once for headers and metrics.
    public let nameText: String
    /// The bound leaves with their traffic shares and ids in show form,
    /// made once so that picking an endpoint allocates nothing.
    public let leaves: [Leaf]

    /// A class: made once per cached decision, then handed to every
    /// attempt by reference instead of copied field by field.
    public final class Leaf: Sendable {
        public let name: BoundName
        public let share: Double
        public let idText: String

        init(name: BoundName, share: Double, idText: String) {
            self.name = name
            self.share = share
            self.idText = idText
        }
    }

    public init(route: Int?, routeName: String?, name: Path, bound: NameTree<BoundName>, policy: Policy) {
        self.route = route
        self.routeName = routeName
        self.name = name
        self.bound = bound
        self.policy = policy
        self.nameText = name.show
        self.leaves = bound.shares.map { Leaf(name: $0.name, share: $0.share, idText: $0.name.id.show) }
    }
}

// MARK: - RoutingFailure

/// Why a request cannot be routed, with the status the proxy answers and
/// the `l5d-err` text that explains it.
public struct RoutingFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No route matched and no identifier named the request (400).
        case unidentified
        /// The request's `l5d-dtab` does not parse (400).
        case malformedOverride
        /// The name bound to neg, fail or empty, or delegation failed (502).
        case unbound
    }

    public var kind: Kind
    public var message: String
    /// The logical name, when the request got that far.
    public var name: Path?

    public var status: Int {
        switch kind {
        case .unidentified, .malformedOverride: return 400
        case .unbound: return 502
        }
    }

    public var description: String { message }
}
