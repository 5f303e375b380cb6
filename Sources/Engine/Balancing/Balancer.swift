import RouteLang

// MARK: - Balancer

/// Chooses an endpoint of one destination for each attempt, by the route's
/// `balance` policy, and learns from each attempt's outcome:
/// - `peak-ewma`: power of two choices, two endpoints drawn by weight, the
///   one with the lower cost per unit of weight wins;
/// - `least-loaded`: fewest requests in flight per unit of weight (ties
///   drawn by weight);
/// - `round-robin`: smooth weighted round robin (nginx's), so weights hold
///   over any window and no endpoint gets a burst.
///
/// Endpoints that join (an endpoint file gains a line) take traffic at
/// once: peak-EWMA prices an endpoint it never measured at the median of
/// the estimates it has, never at a constant that loses every comparison.
/// With `slow-start D`, an endpoint that joined less than D ago has its
/// weight scaled from 10% up to 100% over D (Envoy's slow start, linear).
///
/// Pure state: the caller passes the time and the random source, and must
/// call `finished` once for every `pick` it acted on.
public struct Balancer: Sendable {
    public internal(set) var loads: [Endpoint: EndpointLoad] = [:]
    /// Smooth weighted round robin's running weights.
    private var current: [Endpoint: Double] = [:]
    /// When endpoints that joined after the first set arrived, while their slow start may last.
    public private(set) var joined: [Endpoint: UInt64] = [:]

    /// The share of its weight an endpoint has at the start of its slow start.
    public static let slowStartFloor = 0.1
    /// Breaks an unmeasured endpoint's tie with the median in its favour.
    static let unmeasuredDiscount = 0.999

    public init() {}

    // MARK: Picking

    /// The endpoint for the next attempt; nil when there is none.
    /// `excluding` endpoints are avoided while any other one exists (a
    /// retry goes elsewhere). `slowStart`: the ramp in nanoseconds, 0 for none.
    public mutating func pick<R: RandomNumberGenerator>(_ endpoints: [Endpoint], policy: BalancePolicy,
                                                        excluding: Set<Endpoint> = [], slowStart: UInt64 = 0, now: UInt64,
                                                        random: inout R) -> Endpoint? {
        let candidates = excluding.isEmpty ? endpoints : endpoints.filter { !excluding.contains($0) }
        let pool = candidates.isEmpty ? endpoints : candidates
        guard !pool.isEmpty else { return nil }
        let ramp = Ramp(joined: slowStart > 0 && !joined.isEmpty ? joined : [:], window: slowStart, now: now)
        let chosen: Endpoint
        if pool.count == 1 {
            chosen = pool[0]
        } else {
            switch policy {
            case .peakEWMA(let decay, let defaultRTT):
                let (decay, defaultRTT) = (decay.nanoseconds, defaultRTT.nanoseconds)
                var reference: Double?
                chosen = powerOfTwo(pool, ramp: ramp, random: &random) { endpoint in
                    self.peakCost(endpoint, pool: pool, reference: &reference, now: now, decay: decay, defaultRTT: defaultRTT)
                }
            case .leastLoaded:
                chosen = leastLoaded(pool, ramp: ramp, random: &random)
            case .roundRobin:
                chosen = roundRobin(pool, ramp: ramp)
            }
        }
        loads[chosen, default: EndpointLoad()].pending += 1
        return chosen
    }

    /// Records the end of an attempt on `endpoint`; `rtt` (nanoseconds to
    /// the response head) when it was answered, nil when it failed before;
    /// `cold` when it was the first exchange on a new connection.
    public mutating func finished(_ endpoint: Endpoint, rtt: UInt64?, cold: Bool = false, now: UInt64, policy: BalancePolicy) {
        var load = loads[endpoint, default: EndpointLoad()]
        load.pending = max(0, load.pending - 1)
        if let rtt, case .peakEWMA(let decay, _) = policy {
            load.latency.observe(rtt: rtt, now: now, decay: decay.nanoseconds, cold: cold)
        }
        loads[endpoint] = load
    }

    // MARK: Membership

    /// Discovery changed the destination's endpoints from `old` to `new`:
    /// those new to it start their slow start now (unless `old` was empty:
    /// the first set is not "joining"), and those gone are forgotten once
    /// idle, so figures and reports show only what is in rotation.
    public mutating func membershipChanged(from old: [Endpoint], to new: [Endpoint], now: UInt64) {
        let current = Set(new)
        if !old.isEmpty {
            let before = Set(old)
            for endpoint in new where !before.contains(endpoint) { joined[endpoint] = now }
        }
        retain(current)
    }

    /// Forgets endpoints not in `endpoints` (once idle).
    public mutating func retain(_ endpoints: Set<Endpoint>) {
        loads = loads.filter { endpoints.contains($0.key) || $0.value.pending > 0 }
        current = current.filter { endpoints.contains($0.key) }
        joined = joined.filter { endpoints.contains($0.key) }
    }

    // MARK: Algorithms

    /// Peak-EWMA's cost of an endpoint. One never measured (warm) costs the
    /// median estimate of those measured (`default-rtt` when none is),
    /// worked out once per pick into `reference`, a hair less so that the
    /// tie with a typical endpoint goes to it: a joining endpoint is tried
    /// at once (one request at a time, since a pending one doubles its
    /// cost); once it has answered, its own estimate rules, and a slow one
    /// is avoided.
    func peakCost(_ endpoint: Endpoint, pool: [Endpoint], reference: inout Double?, now: UInt64, decay: UInt64,
                  defaultRTT: UInt64) -> Double {
        let load = loads[endpoint] ?? EndpointLoad()
        if load.latency.isMeasured { return load.cost(now: now, decay: decay, defaultRTT: defaultRTT) }
        if reference == nil { reference = medianEstimate(pool, now: now, decay: decay) ?? Double(defaultRTT) }
        return reference! * Double(load.pending + 1) * Self.unmeasuredDiscount
    }

    /// The median of the measured endpoints' estimates; nil when none is measured.
    func medianEstimate(_ pool: [Endpoint], now: UInt64, decay: UInt64) -> Double? {
        var estimates: [Double] = []
        for endpoint in pool {
            guard let load = loads[endpoint], load.latency.isMeasured else { continue }
            estimates.append(load.latency.estimate(now: now, decay: decay, defaultRTT: 0))
        }
        guard !estimates.isEmpty else { return nil }
        estimates.sort()
        let middle = estimates.count / 2
        return estimates.count % 2 == 1 ? estimates[middle] : (estimates[middle - 1] + estimates[middle]) / 2
    }

    /// Two distinct endpoints, each drawn by weight (slow start included, so
    /// a joining endpoint is offered less often), compared by cost per unit
    /// of discovery weight.
    func powerOfTwo<R: RandomNumberGenerator>(_ pool: [Endpoint], ramp: Ramp, random: inout R,
                                              cost: (Endpoint) -> Double) -> Endpoint {
        let first = Self.draw(pool, ramp: ramp, random: &random)
        let second = Self.draw(pool, ramp: ramp, random: &random) { $0 != first }
        let firstCost = cost(first) / Self.weight(first)
        let secondCost = cost(second) / Self.weight(second)
        return secondCost < firstCost ? second : first
    }

    func leastLoaded<R: RandomNumberGenerator>(_ pool: [Endpoint], ramp: Ramp, random: inout R) -> Endpoint {
        func load(_ endpoint: Endpoint) -> Double {
            Double(loads[endpoint]?.pending ?? 0) / (Self.weight(endpoint) * ramp.factor(endpoint))
        }
        var chosen = pool[0]
        var bestLoad = Double.infinity
        var ties = 0
        for endpoint in pool {
            let load = load(endpoint)
            if load < bestLoad {
                chosen = endpoint
                bestLoad = load
                ties = 1
            } else if load == bestLoad {
                ties += 1
            }
        }
        // Ties are drawn by weight, over the pool again rather than a list of them.
        return ties == 1 ? chosen : Self.draw(pool, ramp: ramp, random: &random) { load($0) == bestLoad }
    }

    mutating func roundRobin(_ pool: [Endpoint], ramp: Ramp) -> Endpoint {
        var total = 0.0
        var chosen = pool[0]
        var chosenWeight = -Double.infinity
        for endpoint in pool {
            let weight = Self.weight(endpoint) * ramp.factor(endpoint)
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
    /// Only endpoints `included` takes are drawn (at least one must be), with no
    /// list of them made.
    static func draw<R: RandomNumberGenerator>(_ pool: [Endpoint], ramp: Ramp, random: inout R,
                                               where included: (Endpoint) -> Bool = { _ in true }) -> Endpoint {
        var total = 0.0
        var last = pool[pool.count - 1]
        for endpoint in pool where included(endpoint) {
            total += weight(endpoint) * ramp.factor(endpoint)
            last = endpoint
        }
        var point = Double.random(in: 0..<total, using: &random)
        for endpoint in pool where included(endpoint) {
            point -= weight(endpoint) * ramp.factor(endpoint)
            if point < 0 { return endpoint }
        }
        return last
    }

    /// Discovery weights, with a floor so a zero weight never divides.
    static func weight(_ endpoint: Endpoint) -> Double {
        max(endpoint.weight, 1e-6)
    }

    // MARK: Slow start

    /// How far each joining endpoint is through its slow start, at one pick.
    struct Ramp {
        let joined: [Endpoint: UInt64]
        let window: UInt64
        let now: UInt64

        /// 1 outside slow start; from `slowStartFloor` to 1 across the window.
        func factor(_ endpoint: Endpoint) -> Double {
            guard !joined.isEmpty, let since = joined[endpoint], now < since + window else { return 1 }
            let progress = Double(now - since) / Double(window)
            return max(Balancer.slowStartFloor, progress)
        }
    }
}
