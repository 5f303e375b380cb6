import RouteLang

// MARK: - Rotation

/// What each destination has in rotation now, for reports and gauges:
/// discovery's current answer (asked of the snapshot's namers, not of
/// what the event loops last saw, which lags until traffic comes), less
/// the endpoints failure accrual holds out.
public enum Rotation {
    /// Discovery's current endpoints for a bound id; nil when no namer
    /// binds it any more (the service left discovery).
    public static func endpoints(of id: Path, in namers: NamerTable) -> [Endpoint]? {
        guard let (prefix, namer) = namers.namer(for: id),
              let tree = try? namer.lookup(id.dropFirst(prefix.count)) else { return nil }
        var endpoints: [Endpoint] = []
        var bound = false
        collect(tree, into: &endpoints, bound: &bound)
        return bound ? endpoints : nil
    }

    /// The endpoints of `endpoints` that accrual does not hold out.
    public static func inRotation(_ endpoints: [Endpoint], gates: [Endpoint: EndpointGate]) -> [Endpoint] {
        gates.isEmpty ? endpoints : endpoints.filter { gates[$0] == nil }
    }

    private static func collect(_ tree: NameTree<NamerResult>, into endpoints: inout [Endpoint], bound: inout Bool) {
        switch tree {
        case .leaf(.bound(let name)):
            bound = true
            for endpoint in name.endpoints where !endpoints.contains(endpoint) { endpoints.append(endpoint) }
        case .leaf(.path):
            break
        case .union(let branches):
            for branch in branches { collect(branch.tree, into: &endpoints, bound: &bound) }
        case .alt(let trees):
            if let first = trees.first { collect(first, into: &endpoints, bound: &bound) }
        case .neg, .fail, .empty:
            break
        }
    }
}
