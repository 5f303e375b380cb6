import RouteLang

// MARK: - FailureAccrual

/// Evicts endpoints that keep failing and probes them again (Finagle's
/// FailureAccrualFactory with its consecutive-failures and success-rate
/// policies), for one destination:
/// - `consecutive N`: evicted at the Nth failure in a row;
/// - `success-rate R window D min-requests M`: evicted when the success rate
///   over the last D falls below R with at least M outcomes in it;
/// - an evicted endpoint waits a jittered exponential backoff (`backoff A..B`,
///   doubling per eviction in a row), then admits one real request: success
///   restores it, failure evicts it again for longer;
/// - `max-ejection P%`: an eviction that would take more than P% of the
///   endpoints out is not made.
///
/// Pure state with an injected clock and random source; the caller feeds
/// outcomes and asks which endpoints may be picked.
public struct FailureAccrual: Sendable {
    public enum Event: Sendable, Hashable {
        case evicted(Endpoint, until: UInt64)
        case probing(Endpoint)
        case restored(Endpoint)
    }

    public private(set) var health: [Endpoint: EndpointHealth] = [:]
    /// The destination as a whole (a split arm): shed while every endpoint fails.
    public private(set) var arm = ArmHealth()

    public init() {}

    /// The endpoints that may take a request now, for a single picker (the
    /// proxy's loops read `gates` and claim probes one by one instead). An
    /// evicted endpoint whose backoff passed moves to probation through
    /// `claimProbe` and is offered (once).
    public mutating func available(_ endpoints: [Endpoint], now: UInt64) -> (endpoints: [Endpoint], events: [Event]) {
        var result: [Endpoint] = []
        var events: [Event] = []
        for endpoint in endpoints {
            if case .alive = health[endpoint, default: .fresh] {
                result.append(endpoint)
            } else if claimProbe(endpoint, now: now) {
                events.append(.probing(endpoint))
                result.append(endpoint)
            }
        }
        return (result, events)
    }

    /// Takes the one probe an evicted endpoint admits once its backoff
    /// passed; false when it is not due (or another request has it).
    public mutating func claimProbe(_ endpoint: Endpoint, now: UInt64) -> Bool {
        guard case .evicted(let until, let evictions) = health[endpoint], now >= until else { return false }
        health[endpoint] = .probing(evictions: evictions)
        return true
    }

    /// A probe ended without an answer that says anything of the endpoint
    /// (the client went away): the next request probes instead.
    public mutating func abandonProbe(_ endpoint: Endpoint, now: UInt64) -> Bool {
        guard case .probing(let evictions) = health[endpoint] else { return false }
        health[endpoint] = .evicted(until: now, evictions: evictions)
        return true
    }

    /// Whether accrual remembers anything of `endpoint`: a failure in a row,
    /// an eviction or a probe (a fresh endpoint has nothing to forget).
    public func isMarked(_ endpoint: Endpoint) -> Bool {
        switch health[endpoint] {
        case nil: return false
        case .alive(let failures, _)?: return failures > 0
        case .evicted?, .probing?: return true
        }
    }

    /// The endpoints out of rotation, and why: what a picker must know.
    public var gates: [Endpoint: EndpointGate] {
        health.compactMapValues { state in
            switch state {
            case .alive: return nil
            case .evicted(let until, _): return .evicted(until: until)
            case .probing: return .probing
            }
        }
    }

    /// Records one attempt's outcome on `endpoint` (out of `endpoints`, the
    /// destination's current set, for the ejection cap).
    public mutating func record<R: RandomNumberGenerator>(_ endpoint: Endpoint, success: Bool, now: UInt64, policy: AccrualPolicy,
                                                          endpoints: [Endpoint], random: inout R) -> Event? {
        if case .disabled = policy.mode {
            // `accrual none` (perhaps since a reload): what an earlier policy held out comes back.
            guard let previous = health.removeValue(forKey: endpoint) else { return nil }
            if case .alive = previous { return nil }
            return .restored(endpoint)
        }
        switch health[endpoint, default: .fresh] {
        case .probing(let evictions):
            if success {
                health[endpoint] = .fresh
                return .restored(endpoint)
            }
            return evict(endpoint, evictions: evictions + 1, now: now, policy: policy, random: &random)
        case .evicted:
            // A request picked before the eviction ended late: it decides nothing.
            return nil
        case .alive(var failures, var recent):
            failures = success ? 0 : failures + 1
            if case .successRate(_, let window, _) = policy.mode {
                recent.record(success: success, now: now, window: window.nanoseconds)
            }
            health[endpoint] = .alive(failures: failures, recent: recent)
            guard Self.tripped(failures: failures, recent: recent, policy: policy), mayEject(from: endpoints, policy: policy) else { return nil }
            return evict(endpoint, evictions: 1, now: now, policy: policy, random: &random)
        }
    }

    // MARK: The destination as a whole

    /// Folds an attempt's outcome into the destination's arm state (after
    /// `record` folded it into the endpoint's).
    public mutating func recordArm<R: RandomNumberGenerator>(success: Bool, now: UInt64, policy: AccrualPolicy, endpoints: [Endpoint],
                                                             random: inout R) -> ArmHealth.Event? {
        if case .disabled = policy.mode { return arm.reset() }
        let cannotAnswer = !success && cannotAnswer(endpoints, policy: policy)
        return arm.record(success: success, cannotAnswer: cannotAnswer, now: now, backoff: policy.backoff, random: &random)
    }

    public mutating func claimArmProbe(now: UInt64) -> Bool { arm.claimProbe(now: now) }
    public mutating func abandonArmProbe(now: UInt64) -> Bool { arm.abandonProbe(now: now) }

    /// Whether every endpoint of `endpoints` is failing: evicted, on
    /// probation, or tripped but kept in rotation by `max-ejection` (the
    /// last endpoint of a destination always is).
    public func cannotAnswer(_ endpoints: [Endpoint], policy: AccrualPolicy) -> Bool {
        guard !endpoints.isEmpty else { return false }
        return endpoints.allSatisfy { endpoint in
            switch health[endpoint] {
            case nil: return false
            case .alive(let failures, let recent)?: return Self.tripped(failures: failures, recent: recent, policy: policy)
            case .evicted?, .probing?: return true
            }
        }
    }

    /// Whether an alive endpoint's record calls for its eviction.
    static func tripped(failures: Int, recent: SuccessWindow, policy: AccrualPolicy) -> Bool {
        switch policy.mode {
        case .consecutive(let limit): return failures >= limit
        case .successRate(let wanted, _, let minRequests): return recent.total >= minRequests && recent.rate < wanted
        case .disabled: return false
        }
    }

    /// Whether one more eviction stays within `max-ejection`.
    func mayEject(from endpoints: [Endpoint], policy: AccrualPolicy) -> Bool {
        let out = endpoints.filter {
            switch health[$0, default: .fresh] {
            case .alive: return false
            case .evicted, .probing: return true
            }
        }.count
        return Double(out + 1) <= Double(endpoints.count) * policy.maxEjectionPercent / 100
    }

    mutating func evict<R: RandomNumberGenerator>(_ endpoint: Endpoint, evictions: Int, now: UInt64, policy: AccrualPolicy,
                                                  random: inout R) -> Event {
        let wait = RetryDecision.backoff(retry: evictions, range: policy.backoff, random: &random)
        let until = now + wait.nanoseconds
        health[endpoint] = .evicted(until: until, evictions: evictions)
        return .evicted(endpoint, until: until)
    }

}
