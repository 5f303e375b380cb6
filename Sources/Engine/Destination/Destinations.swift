import RouteLang

// MARK: - Destinations

/// One event loop's destinations, by bound id: the concrete-destination and
/// endpoint layers of the request stack (see `RequestStack`). Choosing for
/// an attempt: a destination by its traffic share (the dtab's weights),
/// then the endpoints the accrual gate admits, then one of them by the
/// route's `balance` policy.
public struct Destinations: Sendable {
    public struct Pick: Sendable {
        public let leaf: RoutingDecision.Leaf
        public let endpoint: Endpoint
        /// Whether this attempt is an evicted endpoint's probe.
        public let probe: Bool
        /// Whether this attempt probes a shed destination (a split arm).
        public let armProbe: Bool
        /// The destination's proxy-wide accrual, for the attempt's outcome.
        let health: DestinationHealth
    }

    public private(set) var destinations: [Path: Destination] = [:]
    let board: HealthBoard
    /// This loop's part of the proxy-wide retry budget minimum (1 / loops).
    let budgetShare: Double
    /// `limits { removal-grace }` in nanoseconds; zero is off.
    public var removalGrace: UInt64 = 0

    public init(board: HealthBoard, budgetShare: Double = 1) {
        self.board = board
        self.budgetShare = budgetShare
    }

    // MARK: Picking

    /// The destination and endpoint for an attempt, avoiding `excluding`
    /// where another endpoint exists; the failure when none may take it,
    /// with the reason. `deposit`: the request's first attempt pays into
    /// the chosen destination's retry budget.
    public mutating func pick<R: RandomNumberGenerator>(_ decision: RoutingDecision, excluding: Set<Endpoint> = [],
                                                        deposit: RetryBudget? = nil, now: UInt64,
                                                        random: inout R) -> Result<Pick, Unavailable> {
        guard let (leaf, armProbe) = chooseLeaf(decision.leaves, excluding: excluding, now: now, random: &random) else {
            let ids = decision.leaves.map(\.idText).joined(separator: ", ")
            return .failure(Unavailable(reason: "no endpoints for \(ids.isEmpty ? decision.nameText : ids)"))
        }
        let policy = decision.policy
        let share = budgetShare
        let grace = removalGrace
        let slowStart = policy.slowStart?.nanoseconds ?? 0
        return withDestination(leaf.name.id) { destination in
            if let deposit { destination.deposit(deposit, share: share, now: now) }
            let offered = destination.offered(leaf.name.endpoints, now: now, grace: grace)
            let (admitted, probe) = destination.admitted(offered, now: now, failFast: policy.accrual.failFast)
            guard let endpoint = destination.balancer.pick(admitted, policy: policy.balance, excluding: excluding, slowStart: slowStart,
                                                           now: now, random: &random) else {
                if armProbe { destination.health.releaseArmProbe(now: now) }
                return .failure(Unavailable(reason: "every endpoint of \(leaf.idText) is evicted by failure accrual (fail-fast)"))
            }
            return .success(Pick(leaf: leaf, endpoint: endpoint, probe: probe, armProbe: armProbe, health: destination.health))
        }
    }

    public struct Unavailable: Error, Sendable {
        public let reason: String
    }

    // MARK: Attempt outcomes

    /// Ends an attempt for the balancer; `rtt` in nanoseconds when
    /// answered, `cold` when on a connection's first exchange.
    public mutating func finished(_ pick: Pick, rtt: UInt64?, cold: Bool = false, now: UInt64, policy: BalancePolicy) {
        withDestination(pick.leaf.name.id) { $0.balancer.finished(pick.endpoint, rtt: rtt, cold: cold, now: now, policy: policy) }
    }

    /// Feeds an attempt's outcome to the proxy-wide accrual (`success` nil
    /// when it ended without one); what it changed, endpoint and destination.
    public mutating func record<R: RandomNumberGenerator>(_ pick: Pick, success: Bool?, now: UInt64, policy: AccrualPolicy,
                                                          random: inout R) -> DestinationHealth.Events {
        if success == false, removalGrace > 0 { withDestination(pick.leaf.name.id) { $0.departed(pick.endpoint) } }
        return pick.health.record(pick.endpoint, success: success, armProbe: pick.armProbe, now: now, policy: policy,
                                  endpoints: pick.leaf.name.endpoints, random: &random)
    }

    /// Asks `leaf`'s retry budget for one retry.
    public mutating func withdraw(_ leaf: RoutingDecision.Leaf, budget: RetryBudget, now: UInt64) -> Bool {
        let share = budgetShare
        return withDestination(leaf.name.id) { $0.withdraw(budget, share: share, now: now) }
    }

    /// Each destination's balancer figures, for the admin API.
    public var loads: [Path: [Endpoint: EndpointLoad]] { destinations.mapValues(\.balancer.loads) }

    // MARK: Helpers

    /// Runs `body` on the destination's state in place (made on first
    /// use); one hash of the id in the common case.
    mutating func withDestination<T>(_ id: Path, _ body: (inout Destination) -> T) -> T {
        if let index = destinations.index(forKey: id) { return body(&destinations.values[index]) }
        destinations[id] = Destination(health: board.health(for: id))
        return body(&destinations[id]!)
    }

    // MARK: Choosing a destination

    /// The destination for an attempt, drawn by share among those that can
    /// answer: a destination shed as a whole (`ArmHealth`) gives its share
    /// to the others, except for the one request that probes it when its
    /// backoff passed; a retry avoids a destination whose every endpoint it
    /// already tried. When none can answer, the draw is over every
    /// destination with endpoints, as if nothing were shed.
    mutating func chooseLeaf<R: RandomNumberGenerator>(_ leaves: [RoutingDecision.Leaf], excluding: Set<Endpoint>, now: UInt64,
                                                       random: inout R) -> (leaf: RoutingDecision.Leaf, armProbe: Bool)? {
        if leaves.count == 1 { return leaves[0].name.endpoints.isEmpty ? nil : (leaves[0], false) }
        // Which leaves can answer, as bits (a split has a few arms; any past
        // the 64th always counts as answering), so choosing allocates nothing.
        var answering: UInt64 = 0
        var total = 0.0
        for (index, leaf) in leaves.enumerated() where !leaf.name.endpoints.isEmpty {
            if index < 64 {
                let health = withDestination(leaf.name.id) { $0.health }
                let gate = health.armGate
                if gate != 0 {
                    if gate != .max, now >= gate, excluding.isEmpty, health.claimArmProbe(now: now) { return (leaf, true) }
                    continue
                }
                if !excluding.isEmpty, leaf.name.endpoints.allSatisfy({ excluding.contains($0) }) { continue }
                answering |= 1 << UInt64(index)
            }
            total += leaf.share
        }
        guard total > 0 else { return Self.leaf(leaves, random: &random).map { ($0, false) } }
        var point = Double.random(in: 0..<total, using: &random)
        var chosen = leaves[0]
        for (index, leaf) in leaves.enumerated() where !leaf.name.endpoints.isEmpty && (index >= 64 || answering & (1 << UInt64(index)) != 0) {
            chosen = leaf
            if point < leaf.share { break }
            point -= leaf.share
        }
        return (chosen, false)
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
