import RouteLang

// MARK: - DecisionTree

/// The compiled form of a file's routes. Per request it costs a hash lookup
/// on the host (and one per wildcard suffix of it), a walk down a trie of
/// path segments, and predicate checks on the few clauses left: it does not
/// grow with the number of routes.
///
/// Candidates are tried in exactly the precedence order of `Specificity`
/// (then source order), so the first clause whose conditions all hold is
/// the one a linear scan for the most specific match would pick.
public final class DecisionTree: Sendable {
    let clauses: [CompiledClause]
    let exactHosts: ByteTable<PathIndex>
    let wildcardHosts: ByteTable<PathIndex>
    let anyHost: PathIndex
    /// The longest wildcard suffix, to bound the suffixes tried per request.
    let longestWildcard: Int

    public init(routes: [RouteConfig]) {
        var clauses: [CompiledClause] = []
        for (index, route) in routes.enumerated() {
            let whens = route.clauses.isEmpty ? [[]] : route.clauses
            clauses += whens.map { CompiledClause(route: index, conditions: $0) }
        }
        self.clauses = clauses
        var exactHosts = ByteTable<PathIndex>()
        var wildcardHosts = ByteTable<PathIndex>()
        var anyHost = PathIndex()
        var longestWildcard = 0
        for (index, clause) in clauses.enumerated() {
            switch clause.host {
            case .exact(let host)?: exactHosts[host, default: PathIndex()].insert(index, key: clause.path)
            case .wildcard(let suffix)?:
                wildcardHosts[suffix, default: PathIndex()].insert(index, key: clause.path)
                longestWildcard = max(longestWildcard, suffix.utf8.count)
            case nil: anyHost.insert(index, key: clause.path)
            }
        }
        let precedes: (Int, Int) -> Bool = { CompiledClause.precedes(clauses[$0], clauses[$1]) }
        for key in exactHosts.keys { exactHosts[key]!.sort(by: precedes) }
        for key in wildcardHosts.keys { wildcardHosts[key]!.sort(by: precedes) }
        anyHost.sort(by: precedes)
        self.exactHosts = exactHosts
        self.wildcardHosts = wildcardHosts
        self.anyHost = anyHost
        self.longestWildcard = longestWildcard
    }

    // MARK: Matching

    /// The index of the route that takes the request, or nil.
    public func match(_ request: RequestFacts) -> Int? {
        var matcher = FirstMatch(clauses: clauses)
        visitCandidates(request, &matcher)
        return matcher.winner
    }

    /// Like `match`, recording each more specific candidate that was tried
    /// and the condition that ruled it out (for `explain`).
    public func explainMatch(_ request: RequestFacts) -> (route: Int?, rejected: [(route: Int, failed: Condition)]) {
        var matcher = ExplainingMatch(clauses: clauses)
        visitCandidates(request, &matcher)
        return (matcher.winner, matcher.rejected)
    }

    /// Host buckets in precedence order: the exact host, its wildcard
    /// suffixes longest first, then clauses with no host test.
    /// Hosts and paths are compared as bytes, read in place.
    func visitCandidates<Visitor: CandidateVisitor>(_ request: RequestFacts, _ visitor: inout Visitor) {
        request.path.withUTF8Bytes { path in
            if let host = request.host {
                let found = host.withUTF8Bytes { host in
                    if let index = exactHosts.value(for: host), index.visitCandidates(path: path, request: request, &visitor) { return true }
                    guard !wildcardHosts.isEmpty else { return false }
                    // Suffixes from each dot on (`.b.c`, then `.c`), longest first.
                    for dot in host.indices where host[dot] == UInt8(ascii: ".") && host.count - dot <= longestWildcard {
                        if let index = wildcardHosts.value(for: UnsafeBufferPointer(rebasing: host[dot...])),
                           index.visitCandidates(path: path, request: request, &visitor) { return true }
                    }
                    return false
                }
                if found { return }
            }
            _ = anyHost.visitCandidates(path: path, request: request, &visitor)
        }
    }

    /// Visitors get the request with each call instead of storing it: a stored
    /// copy retained and released its five strings and arrays per request.
    struct FirstMatch: CandidateVisitor {
        let clauses: [CompiledClause]
        var winner: Int?

        mutating func visit(_ candidates: [Int], _ request: RequestFacts) -> Bool {
            for index in candidates where clauses[index].matches(request) {
                winner = clauses[index].route
                return true
            }
            return false
        }
    }

    struct ExplainingMatch: CandidateVisitor {
        let clauses: [CompiledClause]
        var winner: Int?
        var rejected: [(route: Int, failed: Condition)] = []

        mutating func visit(_ candidates: [Int], _ request: RequestFacts) -> Bool {
            for index in candidates {
                guard let failed = clauses[index].firstFailure(request) else {
                    winner = clauses[index].route
                    return true
                }
                rejected.append((clauses[index].route, failed))
            }
            return false
        }
    }

    /// Routes other than `winner` whose clauses also match the request, each
    /// with why the winner ranks higher (for `explain`).
    public func outranked(_ request: RequestFacts, winner: Int) -> [(route: Int, reason: String)] {
        let matching = clauses.filter { $0.matches(request) }
        guard let best = matching.filter({ $0.route == winner }).max(by: { CompiledClause.precedes($1, $0) }) else { return [] }
        var seen: Set<Int> = [winner]
        var result: [(route: Int, reason: String)] = []
        for clause in matching.sorted(by: CompiledClause.precedes) where seen.insert(clause.route).inserted {
            result.append((clause.route, best.specificity.reason(over: clause.specificity)))
        }
        return result
    }

    /// The linear scan the index must agree with: every clause, the most
    /// specific match, ties to the route written first. For tests and checks.
    public func linearMatch(_ request: RequestFacts) -> Int? {
        var best: CompiledClause?
        for clause in clauses where clause.matches(request) {
            if best.map({ CompiledClause.precedes(clause, $0) }) ?? true { best = clause }
        }
        return best?.route
    }
}
