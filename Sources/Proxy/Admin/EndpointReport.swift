import Engine
import RouteLang

// MARK: - EndpointReport

/// `/endpoints`' view of the request stack's per-destination state: for
/// every endpoint, its failure-accrual state (proxy-wide) and each event
/// loop's balancer figures (requests in flight; the peak-EWMA latency, null
/// unless a route balances by it), as the loops last published them (once
/// a second).
enum EndpointReport {
    static func destinations(_ board: HealthBoard, now: UInt64) -> [String: Any] {
        let loads = board.loadReports
        var result: [String: Any] = [:]
        for destination in board.all {
            let health = destination.health
            var endpoints = Set(health.keys)
            for figures in loads.values {
                if let known = figures[destination.id]?.keys { endpoints.formUnion(known) }
            }
            var entries: [String: Any] = [:]
            for endpoint in endpoints {
                let perLoop = loads.keys.sorted().compactMap { loop -> [String: Any]? in
                    guard let load = loads[loop]?[destination.id]?[endpoint] else { return nil }
                    return ["loop": loop, "pending": load.pending, "ewmaMs": load.latency.nanoseconds.map { $0 / 1e6 } as Any]
                }
                entries[endpoint.description] = ["accrual": describe(health[endpoint] ?? .fresh, now: now), "loops": perLoop]
            }
            result[destination.id.show] = entries
        }
        return result
    }

    /// Each destination's endpoints in the loops' balancers, sorted.
    static func inRotation(_ board: HealthBoard) -> [Path: [String]] {
        var result: [Path: Set<String>] = [:]
        for figures in board.loadReports.values {
            for (id, endpoints) in figures { result[id, default: []].formUnion(endpoints.keys.map(\.description)) }
        }
        return result.mapValues { $0.sorted() }
    }

    /// `alive`, `alive (2 failures in a row)`, `evicted for 4.2s (eviction 1)`, `probing`.
    static func describe(_ health: EndpointHealth, now: UInt64) -> String {
        switch health {
        case .alive(let failures, _):
            return failures == 0 ? "alive" : "alive (\(failures) failures in a row)"
        case .evicted(let until, let evictions):
            let tenths = until > now ? (until - now + 50_000_000) / 100_000_000 : 0
            return "evicted for \(tenths / 10).\(tenths % 10)s (eviction \(evictions))"
        case .probing(let evictions):
            return "probing (after eviction \(evictions))"
        }
    }
}
