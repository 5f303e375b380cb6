import RouteLang

// MARK: - Destination

/// One event loop's state for one destination (bound name): its balancer,
/// its retry budget, and its copy of the proxy-wide accrual gates. Kept by
/// bound id, so it survives reloads and discovery changes.
public struct Destination: Sendable {
    public internal(set) var balancer = Balancer()
    public let health: DestinationHealth
    var budget: RetryBudgetState?
    var budgetPolicy: RetryBudget?
    /// The gates as of `gatesVersion` (read again when the version moves).
    var gates: [Endpoint: EndpointGate] = [:]
    var gatesVersion: UInt64 = 0
    /// The endpoint set discovery last gave, and the endpoints it has since
    /// removed, with when (for the removal grace).
    var lastEndpoints: [Endpoint] = []
    var departing: [Endpoint: UInt64] = [:]

    public init(health: DestinationHealth) {
        self.health = health
    }

    // MARK: Removal grace

    /// `endpoints` plus those discovery removed less than `grace` ago that
    /// have not failed since: a service whose registration flapped, or that
    /// is draining, keeps serving the requests it answers well. A change
    /// of the set is told to the balancer (slow start, forgetting).
    mutating func offered(_ endpoints: [Endpoint], now: UInt64, grace: UInt64) -> [Endpoint] {
        if !Self.sameStorage(endpoints, lastEndpoints) {
            if endpoints != lastEndpoints {
                let current = Set(endpoints)
                if grace > 0 {
                    for removed in lastEndpoints where !current.contains(removed) && departing[removed] == nil { departing[removed] = now }
                }
                for back in endpoints { departing[back] = nil }
                balancer.membershipChanged(from: lastEndpoints, to: endpoints + departing.keys, now: now)
            }
            lastEndpoints = endpoints
        }
        guard grace > 0, !departing.isEmpty else { return endpoints }
        departing = departing.filter { now < $0.value + grace }
        return endpoints + departing.keys.sorted { $0.description < $1.description }
    }

    /// Whether two arrays are one buffer: the common case (the same bound
    /// name's set, pick after pick) costs no element comparison.
    static func sameStorage(_ first: [Endpoint], _ second: [Endpoint]) -> Bool {
        first.withUnsafeBufferPointer { a in second.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
    }

    /// A departing endpoint that failed leaves at once.
    mutating func departed(_ endpoint: Endpoint) {
        departing[endpoint] = nil
    }

    // MARK: Accrual gate

    /// What the balancer may choose from: the endpoints no gate holds back,
    /// or the one endpoint whose probe this request just claimed. With all
    /// of them held back: the least bad (the eviction that ends first),
    /// or none under `fail-fast`.
    mutating func admitted(_ endpoints: [Endpoint], now: UInt64, failFast: Bool) -> (endpoints: [Endpoint], probe: Bool) {
        let version = health.version
        if version != gatesVersion {
            gates = health.gates
            gatesVersion = version
        }
        if gates.isEmpty { return (endpoints, false) }
        var open: [Endpoint] = []
        var leastBad: (endpoint: Endpoint, until: UInt64)?
        for endpoint in endpoints {
            switch gates[endpoint] {
            case nil:
                open.append(endpoint)
            case .evicted(let until)?:
                if now >= until, health.claimProbe(endpoint, now: now) {
                    gates[endpoint] = .probing
                    return ([endpoint], true)
                }
                if until < (leastBad?.until ?? .max) { leastBad = (endpoint, until) }
            case .probing?:
                if leastBad == nil { leastBad = (endpoint, .max) }
            }
        }
        if !open.isEmpty || failFast { return (open, false) }
        return (leastBad.map { [$0.endpoint] } ?? [], false)
    }

    // MARK: Retry budget

    /// Makes the budget for `policy` anew when the policy changed (a
    /// reload). `share` scales the minimum rate: each event loop has its
    /// part of it, so the proxy as a whole keeps the configured bound.
    /// Mutated in place, so the hot path copies no array.
    mutating func prepareBudget(_ policy: RetryBudget, share: Double, now: UInt64) {
        guard budget == nil || budgetPolicy != policy else { return }
        var scaled = policy
        scaled.minPerSecond *= share
        budgetPolicy = policy
        budget = RetryBudgetState(scaled, now: now)
    }

    mutating func deposit(_ policy: RetryBudget, share: Double, now: UInt64) {
        prepareBudget(policy, share: share, now: now)
        budget!.deposit(now: now)
    }

    mutating func withdraw(_ policy: RetryBudget, share: Double, now: UInt64) -> Bool {
        prepareBudget(policy, share: share, now: now)
        return budget!.tryWithdraw(now: now)
    }
}
