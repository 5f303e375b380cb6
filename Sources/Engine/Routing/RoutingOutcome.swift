import RouteLang

// MARK: - RoutingDecision

/// Where a request goes and under which policy.
public struct RoutingDecision: Sendable {
    /// The route that matched, or nil when the request was identified.
    public var route: Int?
    public var routeName: String?
    /// The logical name (`/svc/users`) before delegation.
    public var name: Path
    /// The bound tree: a leaf or a weighted union of bound names.
    public var bound: NameTree<BoundName>
    public var policy: Policy
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
