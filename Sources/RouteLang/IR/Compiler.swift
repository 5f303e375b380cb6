// MARK: - Compiler

/// Lowers a checked `RuleFile` to a `RoutingConfig`.
///
/// It assumes the checker found no errors (it is total anyway: the first of
/// duplicated blocks wins). Policies are merged option by option, outermost
/// first: built-in defaults, then `defaults { }`, then the route's own items.
public enum Compiler {
    public static func compile(_ file: RuleFile) -> RoutingConfig {
        var listeners: [ListenerConfig] = []
        var admin: SocketAddress?
        var namers: [NamerConfig] = []
        var identification: PathTemplate?
        var dtab: [Dentry] = []
        var splits: [Dentry] = []
        var defaultItems: [PolicyItem]?
        var routeDecls: [RouteDecl] = []
        var limits: ServerLimits?
        var tracing: TracingConfig?
        var accessLog: String?

        for statement in file.statements {
            switch statement {
            case .listen(let decl):
                listeners.append(ListenerConfig(address: decl.address.value, allowDtabOverride: decl.allowDtabOverride != nil,
                                                tls: decl.tls.map { TLSFiles(cert: $0.cert.value, key: $0.key.value) }))
            case .admin(let decl):
                admin = admin ?? decl.address.value
            case .namer(let decl):
                namers.append(NamerConfig(name: decl.name.value, kind: decl.kind.value, argument: decl.argument.value,
                                          options: Dictionary(decl.options.map { ($0.key.value, $0.value?.value ?? "") }, uniquingKeysWith: { $1 })))
            case .identify(let decl):
                identification = identification ?? template(for: decl.form)
            case .dtab(let block):
                dtab += block.entries.map(\.dentry)
            case .defaults(let block):
                defaultItems = defaultItems ?? block.items
            case .route(let decl):
                routeDecls.append(decl)
            case .split(let decl):
                splits.append(dentry(for: decl))
            case .limits(let block):
                limits = limits ?? self.limits(block)
            case .tracing(let decl):
                tracing = tracing ?? TracingConfig(endpoint: decl.endpoint.value, sampleRatio: decl.sample?.value ?? TracingConfig.defaultSampleRatio)
            case .accessLog(let decl):
                accessLog = accessLog ?? decl.path.value
            }
        }

        let defaults = merge(.builtIn, defaultItems ?? [])
        let routes = routeDecls.map { decl in
            RouteConfig(name: decl.name.value,
                        clauses: decl.whenClauses.map { $0.conditions.map(\.condition) },
                        target: decl.targets.first?.value ?? PathTemplate(labels: []),
                        dtab: Dtab(decl.dtabBlocks.flatMap { $0.entries.map(\.dentry) }),
                        policy: merge(defaults, decl.policies))
        }
        var config = RoutingConfig(listeners: listeners, admin: admin ?? RoutingConfig.defaultAdmin, namers: namers,
                                   identification: identification, dtab: Dtab(dtab + splits), defaults: defaults, routes: routes,
                                   limits: limits)
        config.tracing = tracing
        config.accessLog = accessLog
        return config
    }

    // MARK: Limits

    static func limits(_ block: LimitsBlock) -> ServerLimits {
        var limits = ServerLimits()
        for item in block.items {
            switch (LimitItem.Kind(rawValue: item.name.value), item.value) {
            case (.maxHeadSize?, .bytes(let size)): limits.maxHeadSize = size.value
            case (.maxRequestLine?, .bytes(let size)): limits.maxRequestLine = size.value
            case (.maxHeaders?, .count(let count)): limits.maxHeaders = count.value
            case (.headerReadTimeout?, .duration(let duration)): limits.headerReadTimeout = duration.value
            case (.connectTimeout?, .duration(let duration)): limits.connectTimeout = duration.value
            case (.poolIdleTimeout?, .duration(let duration)): limits.poolIdleTimeout = duration.value
            case (.maxBodySize?, .bytes(let size)): limits.maxBodySize = size.value
            case (.bodyIdleTimeout?, .duration(let duration)): limits.bodyIdleTimeout = duration.value
            case (.delegationBudget?, .count(let count)): limits.delegationBudget = count.value
            case (.retryBodySize?, .bytes(let size)): limits.retryBodySize = size.value
            case (.removalGrace?, .duration(let duration)): limits.removalGrace = duration.value
            case (.h2MaxConcurrentStreams?, .count(let count)): limits.h2MaxConcurrentStreams = count.value
            case (.h2StreamWindow?, .bytes(let size)): limits.h2StreamWindow = size.value
            case (.h2IdleTimeout?, .duration(let duration)): limits.h2IdleTimeout = duration.value
            case (.h2Keepalive?, .duration(let duration)): limits.h2Keepalive = duration.value
            case (.endpointMetrics?, .count(let count)): limits.endpointMetrics = count.value
            default: break
            }
        }
        return limits
    }

    // MARK: Identification

    /// Every identifier form is a template under `/svc`, as in Linkerd 1.
    static func template(for form: IdentifyForm) -> PathTemplate {
        let svc: [PathTemplate.Part] = [.literal("svc")]
        switch form {
        case .host: return PathTemplate(labels: [svc, [.variable(.host)]])
        case .methodHost: return PathTemplate(labels: [svc, [.variable(.method)], [.variable(.host)]])
        case .header(let name): return PathTemplate(labels: [svc, [.variable(.header(name.value))]])
        case .path(let count): return PathTemplate(labels: [svc, [.variable(.path(count.value))]])
        case .template(let template): return template.value
        }
    }

    // MARK: Splits

    /// `split /svc/x { 90% /a  10% /b }` is the dentry `/svc/x => 0.9 * /a & 0.1 * /b`.
    public static func dentry(for split: SplitDecl) -> Dentry {
        let branches = split.entries.map { entry in
            NameTree<Path>.Weighted(entry.isPercent ? entry.weight.value / 100 : entry.weight.value, .leaf(entry.target.value))
        }
        let tree: NameTree<Path> = branches.count == 1 ? branches[0].tree : (branches.isEmpty ? .neg : .union(branches))
        return Dentry(prefix: split.path.value, tree: tree)
    }

    // MARK: Policy merge

    /// Overlays `items` on `base`. Classification rules written here come
    /// before inherited ones, so the more local rule wins.
    public static func merge(_ base: Policy, _ items: [PolicyItem]) -> Policy {
        var policy = base
        var rules: [ClassificationRule] = []
        for item in items {
            switch item.kind {
            case .timeout(let duration): policy.timeout = duration.value
            case .attemptTimeout(let duration): policy.attemptTimeout = duration.value
            case .retry(let retry): policy.retry = merge(base.retry, retry)
            case .accrual(let accrual): policy.accrual = merge(base.accrual, accrual)
            case .balance(let balance):
                policy.balance = merge(base.balance, balance)
                if let slowStart = balance.slowStart { policy.slowStart = slowStart.value }
            case .classify(let classify):
                rules += classify.selectors.map { ClassificationRule(selector: $0.value, responseClass: classify.responseClass.value) }
            case .upgrade(let protocols):
                policy.upgrades = protocols.map { $0.value.lowercased() }.filter { $0 != "none" }
            case .upstreamProtocol(let name):
                policy.upstream = UpstreamProtocol(rawValue: name.value) ?? .http1
            case .off(let keyword):
                switch keyword.value {
                case "timeout": policy.timeout = nil
                case "attempt-timeout": policy.attemptTimeout = nil
                case "retry": policy.retry = .disabled
                default: policy.accrual = .disabled
                }
            }
        }
        policy.classification = rules + base.classification
        return policy
    }

    /// Options not written come from `base`, or from the built-in policy
    /// when `base` is `retry none`.
    static func merge(_ base: RetryPolicy, _ syntax: RetrySyntax) -> RetryPolicy {
        var retry = base.classes.isEmpty ? .builtIn : base
        retry.classes = syntax.classes.map(\.value)
        if let limit = syntax.limit { retry.limit = limit.value }
        if let budget = syntax.budget { retry.budget.percent = budget.value }
        if let minRate = syntax.minRate { retry.budget.minPerSecond = minRate.value }
        if let ttl = syntax.ttl { retry.budget.ttl = ttl.value }
        if let backoff = syntax.backoff { retry.backoff = backoff.value }
        if !syntax.methods.isEmpty { retry.methods = syntax.methods.map(\.value) }
        return retry
    }

    /// Options not written come from `base`, or from the built-in policy
    /// when `base` is `accrual none`.
    static func merge(_ base: AccrualPolicy, _ syntax: AccrualSyntax) -> AccrualPolicy {
        var accrual = base.mode == .disabled ? .builtIn : base
        switch syntax.mode {
        case .consecutive(let count):
            accrual.mode = .consecutive(count.value)
        case .successRate(let rate):
            var window = AccrualPolicy.defaultSuccessRateWindow
            var minRequests = AccrualPolicy.defaultMinRequests
            if case .successRate(_, let baseWindow, let baseMin) = base.mode { (window, minRequests) = (baseWindow, baseMin) }
            accrual.mode = .successRate(rate: rate.value, window: syntax.window?.value ?? window,
                                        minRequests: syntax.minRequests?.value ?? minRequests)
        }
        if let backoff = syntax.backoff { accrual.backoff = backoff.value }
        if let maxEjection = syntax.maxEjection { accrual.maxEjectionPercent = maxEjection.value }
        if syntax.failFast != nil { accrual.failFast = true }
        return accrual
    }

    static func merge(_ base: BalancePolicy, _ syntax: BalanceSyntax) -> BalancePolicy {
        switch syntax.algorithm.value {
        case "least-loaded": return .leastLoaded
        case "round-robin": return .roundRobin
        default:
            var (decay, rtt) = (BalancePolicy.defaultDecay, BalancePolicy.defaultRTT)
            if case .peakEWMA(let baseDecay, let baseRTT) = base { (decay, rtt) = (baseDecay, baseRTT) }
            return .peakEWMA(decay: syntax.decay?.value ?? decay, defaultRTT: syntax.defaultRTT?.value ?? rtt)
        }
    }
}
