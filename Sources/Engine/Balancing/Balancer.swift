import RouteLang

// MARK: - Balancer

/// Chooses an endpoint of one destination for each attempt, by the route's
/// `balance` policy, and learns from each attempt's outcome:
/// - `peak-ewma`: power of two choices, two endpoints drawn by discovery
///   weight, the one with the lower cost per unit of weight wins;
/// - `least-loaded`: fewest requests in flight per unit of weight (ties at random);
/// - `round-robin`: smooth weighted round robin (nginx's), so weights hold
///   over any window and no endpoint gets a burst.
///
/// Pure state: the caller passes the time and the random source, and must
/// call `finished` once for every `pick` it acted on.
public struct Balancer: Sendable {
    public internal(set) var loads: [Endpoint: EndpointLoad] = [:]
    /// Smooth weighted round robin's running weights.
    private var current: [Endpoint: Double] = [:]

    public init() {}

    // MARK: Picking

    /// The endpoint for the next attempt; nil when there is none.
    /// `excluding` endpoints are avoided while any other one exists (a
    /// retry goes elsewhere).
    public mutating func pick<R: RandomNumberGenerator>(_ endpoints: [Endpoint], policy: BalancePolicy,
                                                        excluding: Set<Endpoint> = [], now: UInt64, random: inout R) -> Endpoint? {
        let candidates = excluding.isEmpty ? endpoints : endpoints.filter { !excluding.contains($0) }
        let pool = candidates.isEmpty ? endpoints : candidates
        guard !pool.isEmpty else { return nil }
        let chosen: Endpoint
        if pool.count == 1 {
            chosen = pool[0]
        } else {
            switch policy {
            case .peakEWMA(let decay, let defaultRTT):
                let (decay, defaultRTT) = (decay.nanoseconds, defaultRTT.nanoseconds)
                chosen = powerOfTwo(pool, random: &random) {
                    self.loads[$0, default: EndpointLoad()].cost(now: now, decay: decay, defaultRTT: defaultRTT)
                }
            case .leastLoaded:
                chosen = leastLoaded(pool, random: &random)
            case .roundRobin:
                chosen = roundRobin(pool)
            }
        }
        loads[chosen, default: EndpointLoad()].pending += 1
        return chosen
    }

    /// Records the end of an attempt on `endpoint`; `rtt` (nanoseconds to
    /// the response head) when it was answered, nil when it failed before.
    public mutating func finished(_ endpoint: Endpoint, rtt: UInt64?, now: UInt64, policy: BalancePolicy) {
        var load = loads[endpoint, default: EndpointLoad()]
        load.pending = max(0, load.pending - 1)
        if let rtt, case .peakEWMA(let decay, _) = policy {
            load.latency.observe(rtt: rtt, now: now, decay: decay.nanoseconds)
        }
        loads[endpoint] = load
    }

    /// Forgets endpoints discovery no longer lists (once idle).
    public mutating func retain(_ endpoints: Set<Endpoint>) {
        loads = loads.filter { endpoints.contains($0.key) || $0.value.pending > 0 }
        current = current.filter { endpoints.contains($0.key) }
    }

    // MARK: Algorithms

    func powerOfTwo<R: RandomNumberGenerator>(_ pool: [Endpoint], random: inout R, cost: (Endpoint) -> Double) -> Endpoint {
        // Two distinct endpoints, each drawn by weight (without replacement).
        let first = Self.draw(pool, random: &random)
        let second = Self.draw(pool.filter { $0 != first }, random: &random)
        let firstCost = cost(first) / Self.weight(first)
        let secondCost = cost(second) / Self.weight(second)
        return secondCost < firstCost ? second : first
    }

    func leastLoaded<R: RandomNumberGenerator>(_ pool: [Endpoint], random: inout R) -> Endpoint {
        var best: [Endpoint] = []
        var bestLoad = Double.infinity
        for endpoint in pool {
            let load = Double(loads[endpoint]?.pending ?? 0) / Self.weight(endpoint)
            if load < bestLoad {
                best = [endpoint]
                bestLoad = load
            } else if load == bestLoad {
                best.append(endpoint)
            }
        }
        return best.count == 1 ? best[0] : best[Int.random(in: 0..<best.count, using: &random)]
    }

    mutating func roundRobin(_ pool: [Endpoint]) -> Endpoint {
        var total = 0.0
        var chosen = pool[0]
        var chosenWeight = -Double.infinity
        for endpoint in pool {
            let weight = Self.weight(endpoint)
            total += weight
            let running = current[endpoint, default: 0] + weight
            current[endpoint] = running
            if running > chosenWeight {
                chosen = endpoint
                chosenWeight = running
            }
        }
        current[chosen, default: 0] -= total
        return chosen
    }

    /// An endpoint drawn with probability proportional to its weight.
    static func draw<R: RandomNumberGenerator>(_ pool: [Endpoint], random: inout R) -> Endpoint {
        let total = pool.reduce(0) { $0 + weight($1) }
        var point = Double.random(in: 0..<total, using: &random)
        for endpoint in pool {
            point -= weight(endpoint)
            if point < 0 { return endpoint }
        }
        return pool[pool.count - 1]
    }

    /// Discovery weights, with a floor so a zero weight never divides.
    static func weight(_ endpoint: Endpoint) -> Double {
        max(endpoint.weight, 1e-6)
    }

}
