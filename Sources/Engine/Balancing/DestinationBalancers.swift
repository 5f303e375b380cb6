import RouteLang

// MARK: - DestinationBalancers

/// The balancers of one event loop, one per destination (bound name id),
/// so what they learn survives reloads and discovery changes. Choosing for
/// a request: a destination by its traffic share (the dtab's weights), then
/// an endpoint of it by the route's `balance` policy.
public struct DestinationBalancers: Sendable {
    public private(set) var balancers: [Path: Balancer] = [:]

    public init() {}

    /// Nil when no destination has an endpoint.
    public mutating func pick<R: RandomNumberGenerator>(_ decision: RoutingDecision, now: UInt64, random: inout R)
        -> (leaf: RoutingDecision.Leaf, endpoint: Endpoint)? {
        guard let leaf = Self.leaf(decision.leaves, random: &random),
              let endpoint = balancers[leaf.name.id, default: Balancer()].pick(leaf.name.endpoints, policy: decision.policy.balance,
                                                                                 now: now, random: &random) else { return nil }
        return (leaf, endpoint)
    }

    /// Ends an attempt picked with `pick`; `rtt` in nanoseconds when answered.
    public mutating func finished(_ leaf: RoutingDecision.Leaf, _ endpoint: Endpoint, rtt: UInt64?, now: UInt64, policy: BalancePolicy) {
        balancers[leaf.name.id, default: Balancer()].finished(endpoint, rtt: rtt, now: now, policy: policy)
    }

    /// A destination with endpoints, drawn by share.
    static func leaf<R: RandomNumberGenerator>(_ leaves: [RoutingDecision.Leaf], random: inout R) -> RoutingDecision.Leaf? {
        if leaves.count == 1 { return leaves[0].name.endpoints.isEmpty ? nil : leaves[0] }
        let total = leaves.reduce(0) { $0 + ($1.name.endpoints.isEmpty ? 0 : $1.share) }
        guard total > 0 else { return nil }
        var point = Double.random(in: 0..<total, using: &random)
        var chosen: RoutingDecision.Leaf?
        for leaf in leaves where !leaf.name.endpoints.isEmpty {
            chosen = leaf
            if point < leaf.share { break }
            point -= leaf.share
        }
        return chosen
    }
}
