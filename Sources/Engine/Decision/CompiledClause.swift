import RouteLang

// MARK: - CompiledClause

/// One `when` clause of one route (a route without `when` has one empty
/// clause), with its precedence and compiled conditions. A class so the
/// per-request walk passes references, not copies.
final class CompiledClause: Sendable {
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
        // Index by the host and path test that `Specificity` ranks the clause
        // by (the strongest positive one), so bucket order is precedence order.
        var host: HostPattern?
        var path = PathKey.other
        var pathRank = (0, 0)
        for condition in conditions where !condition.negated {
            switch condition.test {
            case .host(let pattern):
                if Self.rank(pattern) > host.map(Self.rank) ?? (0, 0) { host = pattern }
            case .path(let exact) where (3, exact.utf8.count) > pathRank:
                (path, pathRank) = (.exact(exact), (3, exact.utf8.count))
            case .pathPrefix(let prefix):
                let normalized = PathPrefix.normalized(prefix)
                if (2, normalized.utf8.count) > pathRank { (path, pathRank) = (.prefix(Self.segments(normalized)), (2, normalized.utf8.count)) }
            default: break
            }
        }
        self.host = host
        self.path = path
    }

    static func rank(_ pattern: HostPattern) -> (Int, Int) {
        switch pattern {
        case .exact(let host): return (2, host.utf8.count)
        case .wildcard(let suffix): return (1, suffix.utf8.count)
        }
    }

    /// The first condition that does not hold, or nil when the clause matches.
    func firstFailure(_ request: RequestFacts) -> Condition? {
        for condition in conditions where !condition.matches(request) { return condition.source }
        return nil
    }

    func matches(_ request: RequestFacts) -> Bool {
        for index in conditions.indices where !conditions[index].matches(request) { return false }
        return true
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
