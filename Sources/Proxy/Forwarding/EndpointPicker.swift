import Engine
import RouteLang

// MARK: - EndpointPicker

/// Chooses the endpoint for one attempt: a bound leaf by its traffic share
/// (the dtab's weights), then an endpoint of that leaf round-robin. Peak-EWMA
/// balancing replaces the second step in the resilience work.
struct EndpointPicker {
    private var counters: [Path: Int] = [:]
    private var random = SystemRandomNumberGenerator()

    /// Nil when no leaf has an endpoint.
    mutating func pick(_ decision: RoutingDecision) -> (leaf: RoutingDecision.Leaf, endpoint: Endpoint)? {
        let leaves = decision.leaves
        var chosen: RoutingDecision.Leaf?
        if leaves.count == 1 {
            chosen = leaves[0].name.endpoints.isEmpty ? nil : leaves[0]
        } else {
            let total = leaves.reduce(0) { $0 + ($1.name.endpoints.isEmpty ? 0 : $1.share) }
            guard total > 0 else { return nil }
            var point = Double.random(in: 0..<total, using: &random)
            for leaf in leaves where !leaf.name.endpoints.isEmpty {
                chosen = leaf
                if point < leaf.share { break }
                point -= leaf.share
            }
        }
        guard let chosen else { return nil }
        let counter = counters[chosen.name.id, default: 0]
        counters[chosen.name.id] = counter &+ 1
        return (chosen, chosen.name.endpoints[counter % chosen.name.endpoints.count])
    }
}
