import RouteLang

// MARK: - RoutingSnapshot

/// Everything routing needs, immutable: the compiled config, its decision
/// tree, each route's effective dtab and the namers' current answers.
///
/// A reload builds a new snapshot off the request path and swaps it in
/// atomically; requests in flight keep the one they started with. When a
/// namer's answer changes the runtime derives a new snapshot with
/// `replacingNamers`, which reuses the compiled tree.
public final class RoutingSnapshot: Sendable {
    public let config: RoutingConfig
    public let tree: DecisionTree
    public let namers: NamerTable
    /// For each route, the file's dtab followed by the route's own dentries.
    public let routeDtabs: [Dtab]
    /// The file's dtab indexed by prefix: every effective dtab starts with it.
    public let dtabIndex: DentryIndex
    /// For each route, its name when `to` has no variables (most routes).
    public let staticNames: [Path?]
    /// Lower-cased names of the headers any condition or template reads: the
    /// data plane hands routing only these.
    public let referencedHeaders: [String]
    /// Distinguishes snapshots, so caches built for one are not used with another.
    public let generation: UInt64

    public init(config: RoutingConfig, namers: NamerTable, generation: UInt64 = 0) {
        self.config = config
        self.tree = DecisionTree(routes: config.routes)
        self.namers = namers
        self.routeDtabs = config.routes.map { config.dtab + $0.dtab }
        self.dtabIndex = DentryIndex(config.dtab.dentries)
        self.staticNames = config.routes.map(\.target.staticPath)
        self.referencedHeaders = Self.headers(in: config)
        self.generation = generation
    }

    private init(_ other: RoutingSnapshot, namers: NamerTable, generation: UInt64) {
        self.config = other.config
        self.tree = other.tree
        self.namers = namers
        self.routeDtabs = other.routeDtabs
        self.dtabIndex = other.dtabIndex
        self.staticNames = other.staticNames
        self.referencedHeaders = other.referencedHeaders
        self.generation = generation
    }

    static func headers(in config: RoutingConfig) -> [String] {
        var names: Set<String> = []
        func add(_ template: PathTemplate?) {
            for case .header(let name) in template?.variables ?? [] { names.insert(name) }
        }
        add(config.identification)
        for route in config.routes {
            add(route.target)
            for condition in route.clauses.joined() {
                switch condition.test {
                case .headerPresent(let name), .headerEquals(let name, _), .headerMatches(let name, _): names.insert(name)
                default: break
                }
            }
        }
        return names.sorted()
    }

    /// The same routes with new namer answers (discovery changed).
    public func replacingNamers(_ namers: NamerTable, generation: UInt64) -> RoutingSnapshot {
        RoutingSnapshot(self, namers: namers, generation: generation)
    }

    /// Nodes one delegation may visit (`limits { delegation-budget N }`).
    public var delegationBudget: Int { config.limits?.delegationBudget ?? Delegator.defaultBudget }

    /// A delegator for one request's effective dtab (`dtab(route:override:)`),
    /// with this snapshot's namers, dentry index and work budget;
    /// `timeLimit` for the request path.
    public func delegator(route: Int?, override: Dtab?, timeLimit: Duration? = nil) -> Delegator {
        Delegator(dtab: dtab(route: route, override: override), namers: namers, budget: delegationBudget, timeLimit: timeLimit,
                  index: dtabIndex)
    }

    /// The dtab a request is delegated with: the route's (or the file's for
    /// identified requests), then the request's `l5d-dtab`, which wins.
    public func dtab(route: Int?, override: Dtab?) -> Dtab {
        let base = route.map { routeDtabs[$0] } ?? config.dtab
        guard let override else { return base }
        return base + override
    }
}
