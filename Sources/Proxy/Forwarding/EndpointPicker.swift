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
    mutating func pick(_ bound: NameTree<BoundName>) -> (leaf: BoundName, endpoint: Endpoint)? {
        let leaves = bound.shares.filter { !$0.name.endpoints.isEmpty }
        guard !leaves.isEmpty else { return nil }
        var chosen = leaves[leaves.count - 1].name
        if leaves.count > 1 {
            let total = leaves.reduce(0) { $0 + $1.share }
            var point = Double.random(in: 0..<max(total, .leastNonzeroMagnitude), using: &random)
            for leaf in leaves {
                if point < leaf.share {
                    chosen = leaf.name
                    break
                }
                point -= leaf.share
            }
        }
        let counter = counters[chosen.id, default: 0]
        counters[chosen.id] = counter &+ 1
        return (chosen, chosen.endpoints[counter % chosen.endpoints.count])
    }
}
