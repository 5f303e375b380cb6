import RouteLang

// MARK: - Router

/// Routes requests against one snapshot with a binding cache.
///
/// Per request: decision tree -> logical name -> binding (cached per
/// effective dtab and name) -> decision. A `Router` is not thread-safe: the
/// proxy keeps one per event loop, so the cache needs no lock; `update`
/// swaps the snapshot and drops bindings made for the old one.
///
/// The stored state opts out of the runtime's dynamic exclusivity checks:
/// a router is confined to one loop and no access to it re-enters another,
/// and the checks cost about 200 instructions per request (callgrind).
public final class Router {
    @exclusivity(unchecked) public private(set) var snapshot: RoutingSnapshot
    /// Decisions and failures by effective dtab and name. Names can come
    /// from what clients send (`{host}`), so the cache is bounded and
    /// forgets the least recently used half gradually; failures are kept
    /// too, so a client sending names that bind to nothing pays for
    /// delegation once per name, like one sending names that bind.
    @exclusivity(unchecked) var cache: BoundedCache<CacheKey, Result<RoutingDecision, RoutingFailure>>
    /// Decisions of routes with a static `to` and no override: an array slot
    /// per route, so the common case skips naming and hashing entirely.
    @exclusivity(unchecked) var staticDecisions: [RoutingDecision?]
    /// The last decision made from a name without an override. A request
    /// that names the same (a keep-alive client of one host) is checked
    /// against it label by label: no name is built or hashed for it.
    @exclusivity(unchecked) var lastNamed: RoutingDecision?
    /// Whether `lastNamed` answered a request without the cache hearing of
    /// it: it goes back into the cache when displaced, so the cache's
    /// recency still sees every use.
    @exclusivity(unchecked) var lastNamedUsed = false

    struct CacheKey: Hashable {
        /// The route index + 1, or 0 for identified requests.
        var dtab: Int
        var override: String?
        var name: Path

        func hash(into hasher: inout Hasher) {
            hasher.combine(dtab)
            hasher.combine(override)
            name.hashBytes(into: &hasher)
        }
    }

    public init(snapshot: RoutingSnapshot, cacheLimit: Int = 10_000) {
        self.snapshot = snapshot
        self.cache = BoundedCache(capacity: cacheLimit)
        self.staticDecisions = Array(repeating: nil, count: snapshot.config.routes.count)
    }

    public func update(_ snapshot: RoutingSnapshot) {
        guard snapshot.generation != self.snapshot.generation else { return }
        self.snapshot = snapshot
        cache.removeAll()
        staticDecisions = Array(repeating: nil, count: snapshot.config.routes.count)
        lastNamed = nil
        lastNamedUsed = false
    }

    public var cachedBindings: Int { cache.count + staticDecisions.lazy.filter { $0 != nil }.count }

    // MARK: Routing

    /// - Parameter dtabOverride: the request's `l5d-dtab`, passed only when
    ///   the listener allows overrides.
    public func route(_ request: RequestFacts, dtabOverride: String? = nil) -> Result<RoutingDecision, RoutingFailure> {
        let snapshot = self.snapshot
        let routeIndex = snapshot.tree.match(request)
        if let routeIndex, dtabOverride == nil, let decision = staticDecisions[routeIndex] {
            return .success(decision)
        }
        if dtabOverride == nil, let last = lastNamed, last.route == routeIndex,
           let template = Self.template(snapshot, route: routeIndex), NameBuilder.fills(template, request: request, last.name) {
            lastNamedUsed = true
            return .success(last)
        }
        var missing: PathTemplate.Variable?
        guard let name = Self.logicalName(snapshot, route: routeIndex, request: request, missing: &missing) else {
            remember(nil)
            return .failure(Self.namingFailure(snapshot, route: routeIndex, missing: missing))
        }
        let key = CacheKey(dtab: routeIndex.map { $0 + 1 } ?? 0, override: dtabOverride, name: name)
        if let known = cache.value(for: key) {
            if dtabOverride == nil, case .success(let decision) = known { remember(decision) } else { remember(nil) }
            return known
        }
        let result: Result<RoutingDecision, RoutingFailure>
        switch Self.bind(snapshot, route: routeIndex, name: name, dtabOverride: dtabOverride) {
        case .success(let resolution):
            let policy = routeIndex.map { snapshot.config.routes[$0].policy } ?? snapshot.config.defaults
            let decision = RoutingDecision(route: routeIndex, routeName: routeIndex.map { snapshot.config.routes[$0].name },
                                           name: name, bound: resolution.tree, policy: policy)
            if let routeIndex, dtabOverride == nil, snapshot.staticNames[routeIndex] != nil {
                staticDecisions[routeIndex] = decision
                return .success(decision)
            }
            remember(dtabOverride == nil ? decision : nil)
            result = .success(decision)
        case .failure(let failure):
            remember(nil)
            result = .failure(failure)
        }
        cache.insert(result, for: key)
        return result
    }

    /// Makes `decision` the one the next request is checked against; the
    /// one it displaces goes back into the cache if it answered since.
    private func remember(_ decision: RoutingDecision?) {
        if lastNamedUsed, let previous = lastNamed, previous !== decision {
            cache.insert(.success(previous), for: CacheKey(dtab: previous.route.map { $0 + 1 } ?? 0, override: nil, name: previous.name))
        }
        lastNamed = decision
        lastNamedUsed = false
    }

    // MARK: Steps (shared with explanations)

    /// The route's `to` template, or the identifier, filled from the request.
    static func logicalName(_ snapshot: RoutingSnapshot, route: Int?, request: RequestFacts) -> Result<Path, RoutingFailure> {
        var missing: PathTemplate.Variable?
        guard let name = logicalName(snapshot, route: route, request: request, missing: &missing) else {
            return .failure(namingFailure(snapshot, route: route, missing: missing))
        }
        return .success(name)
    }

    /// The logical name, or nil with the variable the request lacks (nil
    /// too when no route matches and no identifier is configured).
    static func logicalName(_ snapshot: RoutingSnapshot, route: Int?, request: RequestFacts,
                            missing: inout PathTemplate.Variable?) -> Path? {
        guard let template = template(snapshot, route: route) else { return nil }
        return NameBuilder.path(for: template, request: request, missing: &missing)
    }

    /// The route's `to` template, or the identifier (nil: neither).
    static func template(_ snapshot: RoutingSnapshot, route: Int?) -> PathTemplate? {
        route.map { snapshot.config.routes[$0].target } ?? snapshot.config.identification
    }

    /// Why `logicalName` found no name (cold path).
    static func namingFailure(_ snapshot: RoutingSnapshot, route: Int?, missing: PathTemplate.Variable?) -> RoutingFailure {
        let reason = missing.map { NameBuilder.MissingFact(variable: $0).description } ?? ""
        if let route {
            return RoutingFailure(kind: .unidentified, message: "route \(snapshot.config.routes[route].name) cannot name the request: \(reason)")
        }
        guard let identifier = snapshot.config.identification else {
            return RoutingFailure(kind: .unidentified, message: "no route matches and no identifier is configured")
        }
        return RoutingFailure(kind: .unidentified, message: "no route matches and the identifier \(identifier) cannot name the request: \(reason)")
    }

    /// A dtab for a failure message: whole when short; a long one (thousands
    /// of dentries) would make every such answer hundreds of kilobytes.
    static func shortShow(_ dtab: Dtab) -> String {
        guard dtab.dentries.count > 8 else { return dtab.show }
        return Dtab(Array(dtab.dentries.suffix(3))).show + " and \(dtab.dentries.count - 3) dentries before them"
    }

    /// Delegates `name`; neg, fail, empty and errors are failures (502).
    static func bind(_ snapshot: RoutingSnapshot, route: Int?, name: Path, dtabOverride: String?) -> Result<Delegator.Resolution, RoutingFailure> {
        var override: Dtab?
        if let dtabOverride {
            switch DtabParser.parseDtab(dtabOverride, name: "l5d-dtab") {
            case .success(let parsed): override = parsed
            case .failure(let error):
                return .failure(RoutingFailure(kind: .malformedOverride, message: "malformed l5d-dtab: \(error)", name: name))
            }
        }
        let delegator = snapshot.delegator(route: route, override: override, timeLimit: Delegator.requestTimeLimit)
        let resolution = delegator.bind(name, tracing: false)
        switch resolution.outcome {
        case .bound: return .success(resolution)
        case .error(let message):
            return .failure(RoutingFailure(kind: .unbound, message: "\(name.show): \(message)", name: name))
        case let outcome:
            return .failure(RoutingFailure(kind: .unbound, message: "\(name.show) binds to \(outcome.name) with dtab \(shortShow(delegator.dtab))",
                                           name: name))
        }
    }
}
