import Engine
import RouteLang

// MARK: - EndpointReport

/// `/endpoints`' view of the request stack's per-destination state, as it
/// is now: for every endpoint discovery lists for a destination (and any
/// it removed that still has requests in flight), its failure-accrual state
/// (proxy-wide), whether it is in rotation, and each event loop's balancer
/// figures (requests in flight; the peak-EWMA latency, null unless a route
/// balances by it) as the loops last published them (once a second). Each
/// destination's arm state says whether it is shed.
enum EndpointReport {
    static func destinations(_ board: HealthBoard, namers: NamerTable, now: UInt64) -> [String: Any] {
        let loads = board.loadReports
        var result: [String: Any] = [:]
        for destination in board.all {
            let current = Rotation.endpoints(of: destination.id, in: namers) ?? []
            let gates = destination.gates
            var endpoints = current
            for figures in loads.values {
                for (endpoint, load) in figures[destination.id] ?? [:] where load.pending > 0 && !endpoints.contains(endpoint) {
                    endpoints.append(endpoint)
                }
            }
            guard !endpoints.isEmpty else { continue }
            let health = destination.health
            var entries: [String: Any] = [:]
            for endpoint in endpoints {
                let perLoop = loads.keys.sorted().compactMap { loop -> [String: Any]? in
                    guard let load = loads[loop]?[destination.id]?[endpoint] else { return nil }
                    return ["loop": loop, "pending": load.pending, "ewmaMs": load.latency.nanoseconds.map { $0 / 1e6 } as Any]
                }
                entries[endpoint.description] = ["accrual": describe(health[endpoint] ?? .fresh, now: now), "loops": perLoop,
                                                 "inRotation": current.contains(endpoint) && gates[endpoint] == nil]
            }
            result[destination.id.show] = entries
        }
        return result
    }

    /// Each destination's state as a whole: `serving`, `shed for 4.2s (shed 1 in a row)`, `probing`.
    static func arms(_ board: HealthBoard, now: UInt64) -> [String: String] {
        var result: [String: String] = [:]
        for destination in board.all {
            switch destination.armState {
            case .serving: result[destination.id.show] = "serving"
            case .shed(let until, let sheds): result[destination.id.show] = "shed for \(seconds(until, now)) (shed \(sheds) in a row)"
            case .probing(let sheds): result[destination.id.show] = "probing (after shed \(sheds))"
            }
        }
        return result
    }

    /// `alive`, `alive (2 failures in a row)`, `evicted for 4.2s (eviction 1)`, `probing`.
    static func describe(_ health: EndpointHealth, now: UInt64) -> String {
        switch health {
        case .alive(let failures, _):
            return failures == 0 ? "alive" : "alive (\(failures) failures in a row)"
        case .evicted(let until, let evictions):
            return "evicted for \(seconds(until, now)) (eviction \(evictions))"
        case .probing(let evictions):
            return "probing (after eviction \(evictions))"
        }
    }

    /// The time from `now` to `until`, as `4.2s`.
    static func seconds(_ until: UInt64, _ now: UInt64) -> String {
        let tenths = until > now ? (until - now + 50_000_000) / 100_000_000 : 0
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
