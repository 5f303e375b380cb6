import RouteLang

// MARK: - CompiledClause

/// One `when` clause of one route (a route without `when` has one empty
/// clause), with its precedence and compiled conditions.
struct CompiledClause: Sendable {
    let route: Int
    let specificity: Specificity
    let conditions: [CompiledCondition]
    /// The clause's positive host and path tests, which place it in the index.
    let host: HostPattern?
    let path: PathKey

    enum PathKey: Sendable, Hashable {
        case exact(String)
        /// Segments of the normalized prefix (`/users/` is `["users"]`).
        case prefix([String])
        /// A regex or no path test: checked by predicate only.
        case other
    }

    init(route: Int, conditions: [Condition]) {
        self.route = route
        self.specificity = Specificity(conditions)
        self.conditions = conditions.map(CompiledCondition.init)
        var host: HostPattern?
        var path = PathKey.other
        for condition in conditions where !condition.negated {
            switch condition.test {
            case .host(let pattern) where host == nil: host = pattern
            case .path(let exact):
                if case .other = path { path = .exact(exact) }
            case .pathPrefix(let prefix):
                if case .other = path { path = .prefix(Self.segments(PathPrefix.normalized(prefix))) }
            default: break
            }
        }
        self.host = host
        self.path = path
    }

    /// The first condition that does not hold, or nil when the clause matches.
    func firstFailure(_ request: RequestFacts) -> Condition? {
        for condition in conditions where !condition.matches(request) { return condition.source }
        return nil
    }

    func matches(_ request: RequestFacts) -> Bool {
        conditions.allSatisfy { $0.matches(request) }
    }

    /// `/a/b` is `["a", "b"]`; `/` is `[]`.
    static func segments(_ path: String) -> [String] {
        path == "/" ? [] : path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }

    /// Candidates that tie on index position are tried in this order: more
    /// specific first, then the route written first.
    static func precedes(_ lhs: CompiledClause, _ rhs: CompiledClause) -> Bool {
        if lhs.specificity != rhs.specificity { return lhs.specificity > rhs.specificity }
        return lhs.route < rhs.route
    }
}
