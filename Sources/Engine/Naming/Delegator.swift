import RouteLang

// MARK: - Delegator

/// Binds a name through a dtab and namers with Finagle's semantics
/// (`Namer.bind` and Linkerd's configured-namers interpreter):
///
/// - a path is looked up in the dtab (last dentry first, suffix appended);
///   only when no dentry matches is it handed to a namer (`/#/…`, `/$/…`);
/// - alternation takes the first branch that does not bind to neg (fail and
///   empty stop it); a union keeps the branches that bind and drops neg and
///   fail ones; the result is simplified and holds no alternation;
/// - an error (more than `maxDepth` rewrites, an exhausted work budget, a
///   failing namer) met in any branch fails the whole binding at once, as a
///   failed `Activity` does through Finagle's `Union` and `Alt`;
/// - the work is bounded: a name is expanded once per depth (later visits
///   reuse the answer), a binding visits at most `budget` nodes, and on the
///   request path (`timeLimit`) it also stops after about a millisecond, so
///   a hostile dtab or `l5d-dtab` never holds an event loop longer. Lint and
///   the CLI use the node budget alone, so their answers do not depend on
///   the machine's speed.
///
/// It records every step as a `DelegationNode` for explanations.
public struct Delegator: Sendable {
    public static let maxDepth = 100
    /// Nodes one binding may visit (`limits { delegation-budget N }`).
    public static let defaultBudget = 10_000

    /// How long the request path lets one binding run.
    public static let requestTimeLimit = Duration.milliseconds(1)

    public var dtab: Dtab
    public var namers: NamerTable
    public var budget: Int
    /// Wall-clock bound, checked every `Work.clockInterval` nodes; nil for none.
    public var timeLimit: Duration?
    /// An index of the dtab's first `index.count` dentries (the rule file's
    /// dtab, built once per snapshot); the dentries after them (a route's
    /// own, an `l5d-dtab`) are few and scanned.
    public var index: DentryIndex?

    /// - Parameter index: must index exactly `dtab.dentries[..<index.count]`.
    public init(dtab: Dtab, namers: NamerTable, budget: Int = Delegator.defaultBudget, timeLimit: Duration? = nil,
                index: DentryIndex? = nil) {
        self.dtab = dtab
        self.namers = namers
        self.budget = budget
        self.timeLimit = timeLimit
        self.index = index.flatMap { $0.count <= dtab.dentries.count ? $0 : nil }
    }

    /// The result of binding one name.
    public struct Resolution: Sendable, Hashable {
        public var path: Path
        /// The bound tree, simplified (neg, fail, empty, a leaf or a union).
        public var tree: NameTree<BoundName>
        public var error: DelegationError?
        public var trace: DelegationNode
        /// Nodes the binding visited (at most the budget).
        public var steps: Int
        /// Whether some step chose between alternatives (several dentries or
        /// an alternation): only then can namer answers change the walk.
        var choseAlternatives = false

        public var outcome: DelegationNode.Outcome {
            if let error { return .error(error.description) }
            return DelegationNode.Outcome(tree)
        }
    }

    /// - Parameter tracing: record every step for explanations; the request
    ///   path binds without (the trace is most of a binding's allocations).
    public func bind(_ path: Path, tracing: Bool = true) -> Resolution {
        var work = Work(budget: budget, tracing: tracing, timeLimit: timeLimit)
        do {
            let (tree, node) = try bindPath(path, depth: 0, &work)
            return Resolution(path: path, tree: tree.simplified, error: nil, trace: node, steps: work.steps,
                              choseAlternatives: work.choseAlternatives)
        } catch {
            return Resolution(path: path, tree: .neg, error: error,
                              trace: work.node(DelegationNode(.name(path), .error(error.description))), steps: work.steps,
                              choseAlternatives: work.choseAlternatives)
        }
    }

    // MARK: Work

    /// The state of one binding: the chain of names being expanded (for
    /// loop messages), the nodes visited, and the answers already known.
    struct Work {
        let budget: Int
        let tracing: Bool
        var steps = 0
        var choseAlternatives = false
        var chain: [Path] = []
        var known: [Key: NameTree<BoundName>] = [:]

        /// A name at a depth, hashed by its labels' bytes (`hashBytes`).
        struct Key: Hashable {
            var path: Path
            var depth: Int

            func hash(into hasher: inout Hasher) {
                hasher.combine(depth)
                path.hashBytes(into: &hasher)
            }
        }

        /// When the binding must give up, if it has a time limit.
        let deadline: ContinuousClock.Instant?
        /// Nodes between two clock readings: a reading costs tens of
        /// nanoseconds, a node several hundred.
        static let clockInterval = 32

        init(budget: Int, tracing: Bool, timeLimit: Duration?) {
            self.budget = budget
            self.tracing = tracing
            self.deadline = timeLimit.map { ContinuousClock.now + $0 }
        }

        /// A trace node, or a shared placeholder when not tracing.
        func node(_ make: @autoclosure () -> DelegationNode) -> DelegationNode {
            tracing ? make() : DelegationNode.untraced
        }

        /// Counts one node; past the budget the binding fails.
        mutating func step() throws(DelegationError) {
            steps += 1
            if steps > budget {
                throw DelegationError(kind: .budgetExceeded(budget: budget, chain: Delegator.loop(in: chain)))
            }
            if let deadline, steps % Self.clockInterval == 0, ContinuousClock.now > deadline {
                throw DelegationError(kind: .tooSlow(steps: steps, chain: Delegator.loop(in: chain)))
            }
        }
    }

    // MARK: Recursion

    func bindPath(_ path: Path, depth: Int, _ work: inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        try work.step()
        work.chain.append(path)
        defer { work.chain.removeLast() }
        guard depth <= Self.maxDepth else { throw DelegationError(kind: .loop(chain: Self.loop(in: work.chain))) }

        // The same name at the same depth always binds the same way: reuse it,
        // so alternations of alternations cost linear, not exponential, time.
        let key = Work.Key(path: path, depth: depth)
        if let tree = work.known[key] {
            return (tree, work.node(DelegationNode(.repeated(path), DelegationNode.Outcome(tree))))
        }
        let (tree, node) = try expandPath(path, depth: depth, &work)
        work.known[key] = tree
        return (tree, node)
    }

    func expandPath(_ path: Path, depth: Int, _ work: inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        // Each matching dentry is an alternative, last dentry first.
        var children: [DelegationNode] = []
        var result: NameTree<BoundName>?
        var matched = false
        for (dentry, suffix) in matchingDentries(path) {
            if matched { work.choseAlternatives = true }
            matched = true
            if result != nil {
                if work.tracing { children.append(DelegationNode(.dentry(dentry), .notReached)) }
                continue
            }
            let rewritten = suffix.isEmpty ? dentry.tree : dentry.tree.map { $0.appending(suffix) }
            let (tree, child) = try bindTree(rewritten, depth: depth + 1, &work)
            if work.tracing { children.append(DelegationNode(.dentry(dentry), child.outcome, [child])) }
            if case .neg = tree { continue }
            result = tree
        }
        if matched {
            let tree = result ?? .neg
            return (tree, work.node(DelegationNode(.name(path), DelegationNode.Outcome(tree), children)))
        }

        guard let (prefix, namer) = namers.namer(for: path) else {
            return (.neg, work.node(DelegationNode(.name(path), .neg)))
        }
        let answer: NameTree<NamerResult>
        do {
            answer = try namer.lookup(path.dropFirst(prefix.count))
        } catch {
            throw DelegationError(kind: .namer(prefix: prefix, message: error.message))
        }
        let (tree, child) = try bindNamerTree(answer, depth: depth + 1, &work)
        return (tree, work.node(DelegationNode(.name(path), child.outcome, [DelegationNode(.namer(prefix), child.outcome, [child])])))
    }

    /// The dentries matching `path` with the suffix each leaves, last first.
    func matchingDentries(_ path: Path) -> [(Dentry, Path)] {
        let dentries = dtab.dentries
        let indexed = index?.count ?? 0
        var found: [(Dentry, Path)] = []
        for position in dentries.indices[indexed...].reversed() {
            if let suffix = dentries[position].match(path) { found.append((dentries[position], suffix)) }
        }
        for position in index?.matching(path) ?? [] {
            if let suffix = dentries[position].match(path) { found.append((dentries[position], suffix)) }
        }
        return found
    }

    func bindTree(_ tree: NameTree<Path>, depth: Int, _ work: inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        switch tree {
        case .leaf(let path): return try bindPath(path, depth: depth, &work)
        case .neg: return (.neg, work.node(DelegationNode(.neg, .neg)))
        case .fail: return (.fail, work.node(DelegationNode(.fail, .fail)))
        case .empty: return (.empty, work.node(DelegationNode(.empty, .empty)))
        case .alt(let trees):
            return try bindAlt(trees, depth: depth, &work) { tree, depth, work throws(DelegationError) in
                try self.bindTree(tree, depth: depth, &work)
            }
        case .union(let branches):
            return try bindUnion(branches.map { ($0.weight, $0.tree) }, depth: depth, &work) { tree, depth, work throws(DelegationError) in
                try self.bindTree(tree, depth: depth, &work)
            }
        }
    }

    /// A namer's answer: bound leaves stay, path leaves are delegated again.
    func bindNamerTree(_ tree: NameTree<NamerResult>, depth: Int, _ work: inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        switch tree {
        case .leaf(.bound(let name)): return (.leaf(name), work.node(DelegationNode(.bound(name), .bound)))
        case .leaf(.path(let path)): return try bindPath(path, depth: depth, &work)
        case .neg: return (.neg, work.node(DelegationNode(.neg, .neg)))
        case .fail: return (.fail, work.node(DelegationNode(.fail, .fail)))
        case .empty: return (.empty, work.node(DelegationNode(.empty, .empty)))
        case .alt(let trees):
            return try bindAlt(trees, depth: depth, &work) { tree, depth, work throws(DelegationError) in
                try self.bindNamerTree(tree, depth: depth, &work)
            }
        case .union(let branches):
            return try bindUnion(branches.map { ($0.weight, $0.tree) }, depth: depth, &work) { tree, depth, work throws(DelegationError) in
                try self.bindNamerTree(tree, depth: depth, &work)
            }
        }
    }

    // MARK: Combinators

    /// First branch that is not neg; fail stops the search; an error fails it.
    func bindAlt<T>(_ trees: [T], depth: Int, _ work: inout Work,
                    _ bindOne: (T, Int, inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode))
        throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        try work.step()
        if trees.count > 1 { work.choseAlternatives = true }
        var children: [DelegationNode] = []
        var result: NameTree<BoundName>?
        for tree in trees {
            if result != nil {
                if work.tracing { children.append(DelegationNode(.alt, .notReached)) }
                continue
            }
            let (bound, child) = try bindOne(tree, depth, &work)
            if work.tracing { children.append(child) }
            if case .neg = bound { continue }
            result = bound
        }
        let tree = result ?? .neg
        return (tree, work.node(DelegationNode(.alt, DelegationNode.Outcome(tree), children)))
    }

    /// Every branch is bound; neg and fail branches drop out (Finagle
    /// `bindUnion` then `simplified`); an error in any branch fails the union.
    func bindUnion<T>(_ branches: [(Double, T)], depth: Int, _ work: inout Work,
                      _ bindOne: (T, Int, inout Work) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode))
        throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        try work.step()
        var bound: [NameTree<BoundName>.Weighted<BoundName>] = []
        var children: [DelegationNode] = []
        for (weight, tree) in branches {
            let (result, child) = try bindOne(tree, depth, &work)
            bound.append(.init(weight, result))
            if work.tracing { children.append(DelegationNode(.weight(weight), child.outcome, [child])) }
        }
        let tree = NameTree<BoundName>.union(bound).simplified
        return (tree, work.node(DelegationNode(.union, DelegationNode.Outcome(tree), children)))
    }

    /// The first cycle in a delegation chain (`/a -> /b -> /a`), or its
    /// first names when it never repeats exactly (a name that keeps growing).
    static func loop(in chain: [Path]) -> [Path] {
        var seen: [Path: Int] = [:]
        for (index, path) in chain.enumerated() {
            if let start = seen[path] { return Array(chain[start...index]) }
            seen[path] = index
        }
        return Array(chain.prefix(4))
    }
}
