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
/// - more than `maxDepth` rewrites is a loop, reported with the loop's names.
///
/// It records every step as a `DelegationNode` for explanations.
public struct Delegator: Sendable {
    public static let maxDepth = 100

    public var dtab: Dtab
    public var namers: NamerTable

    public init(dtab: Dtab, namers: NamerTable) {
        self.dtab = dtab
        self.namers = namers
    }

    /// The result of binding one name.
    public struct Resolution: Sendable, Hashable {
        public var path: Path
        /// The bound tree, simplified (neg, fail, empty, a leaf or a union).
        public var tree: NameTree<BoundName>
        public var error: DelegationError?
        public var trace: DelegationNode

        public var outcome: DelegationNode.Outcome {
            if let error { return .error(error.description) }
            return DelegationNode.Outcome(tree)
        }
    }

    public func bind(_ path: Path) -> Resolution {
        var chain: [Path] = []
        do {
            let (tree, node) = try bindPath(path, depth: 0, chain: &chain)
            return Resolution(path: path, tree: tree.simplified, error: nil, trace: node)
        } catch {
            return Resolution(path: path, tree: .neg, error: error,
                              trace: DelegationNode(.name(path), .error(error.description)))
        }
    }

    // MARK: Recursion

    func bindPath(_ path: Path, depth: Int, chain: inout [Path]) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        chain.append(path)
        defer { chain.removeLast() }
        guard depth <= Self.maxDepth else { throw DelegationError(kind: .loop(chain: Self.loop(in: chain))) }

        let matches = dtab.matches(path)
        if matches.isEmpty {
            guard let (prefix, namer) = namers.namer(for: path) else {
                return (.neg, DelegationNode(.name(path), .neg))
            }
            let answer = namer.lookup(path.dropFirst(prefix.count))
            let (tree, child) = try bindNamerTree(answer, depth: depth + 1, chain: &chain)
            let namerNode = DelegationNode(.namer(prefix), child.outcome, [child])
            return (tree, DelegationNode(.name(path), child.outcome, [namerNode]))
        }

        // Each matching dentry is an alternative, last dentry first.
        var children: [DelegationNode] = []
        var result: NameTree<BoundName>?
        for match in matches {
            if result != nil {
                children.append(DelegationNode(.dentry(match.dentry), .notReached))
                continue
            }
            let (tree, child) = try bindTree(match.tree, depth: depth + 1, chain: &chain)
            children.append(DelegationNode(.dentry(match.dentry), child.outcome, [child]))
            if case .neg = tree { continue }
            result = tree
        }
        let tree = result ?? .neg
        return (tree, DelegationNode(.name(path), DelegationNode.Outcome(tree), children))
    }

    func bindTree(_ tree: NameTree<Path>, depth: Int, chain: inout [Path]) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        switch tree {
        case .leaf(let path): return try bindPath(path, depth: depth, chain: &chain)
        case .neg: return (.neg, DelegationNode(.neg, .neg))
        case .fail: return (.fail, DelegationNode(.fail, .fail))
        case .empty: return (.empty, DelegationNode(.empty, .empty))
        case .alt(let trees):
            return try bindAlt(trees, depth: depth, chain: &chain) { tree, depth, chain throws(DelegationError) in
                try self.bindTree(tree, depth: depth, chain: &chain)
            }
        case .union(let branches):
            return try bindUnion(branches.map { ($0.weight, $0.tree) }, depth: depth, chain: &chain) { tree, depth, chain throws(DelegationError) in
                try self.bindTree(tree, depth: depth, chain: &chain)
            }
        }
    }

    /// A namer's answer: bound leaves stay, path leaves are delegated again.
    func bindNamerTree(_ tree: NameTree<NamerResult>, depth: Int, chain: inout [Path]) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        switch tree {
        case .leaf(.bound(let name)): return (.leaf(name), DelegationNode(.bound(name), .bound))
        case .leaf(.path(let path)): return try bindPath(path, depth: depth, chain: &chain)
        case .neg: return (.neg, DelegationNode(.neg, .neg))
        case .fail: return (.fail, DelegationNode(.fail, .fail))
        case .empty: return (.empty, DelegationNode(.empty, .empty))
        case .alt(let trees):
            return try bindAlt(trees, depth: depth, chain: &chain) { tree, depth, chain throws(DelegationError) in
                try self.bindNamerTree(tree, depth: depth, chain: &chain)
            }
        case .union(let branches):
            return try bindUnion(branches.map { ($0.weight, $0.tree) }, depth: depth, chain: &chain) { tree, depth, chain throws(DelegationError) in
                try self.bindNamerTree(tree, depth: depth, chain: &chain)
            }
        }
    }

    // MARK: Combinators

    /// First branch that is not neg; fail stops the search.
    func bindAlt<T>(_ trees: [T], depth: Int, chain: inout [Path],
                    _ bindOne: (T, Int, inout [Path]) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode))
        throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        var children: [DelegationNode] = []
        var result: NameTree<BoundName>?
        for tree in trees {
            if result != nil {
                children.append(DelegationNode(.alt, .notReached))
                continue
            }
            let (bound, child) = try bindOne(tree, depth, &chain)
            children.append(child)
            if case .neg = bound { continue }
            result = bound
        }
        let tree = result ?? .neg
        return (tree, DelegationNode(.alt, DelegationNode.Outcome(tree), children))
    }

    /// Every branch is bound; neg and fail branches drop out (Finagle
    /// `bindUnion` then `simplified`). A branch that errs drops out too,
    /// unless every branch errs.
    func bindUnion<T>(_ branches: [(Double, T)], depth: Int, chain: inout [Path],
                      _ bindOne: (T, Int, inout [Path]) throws(DelegationError) -> (NameTree<BoundName>, DelegationNode))
        throws(DelegationError) -> (NameTree<BoundName>, DelegationNode) {
        var bound: [NameTree<BoundName>.Weighted<BoundName>] = []
        var children: [DelegationNode] = []
        var firstError: DelegationError?
        for (weight, tree) in branches {
            do {
                let (result, child) = try bindOne(tree, depth, &chain)
                bound.append(.init(weight, result))
                children.append(DelegationNode(.weight(weight), child.outcome, [child]))
            } catch {
                firstError = firstError ?? error
                children.append(DelegationNode(.weight(weight), .error(error.description)))
            }
        }
        if bound.isEmpty, let firstError { throw firstError }
        let tree = NameTree<BoundName>.union(bound).simplified
        return (tree, DelegationNode(.union, DelegationNode.Outcome(tree), children))
    }

    /// The first cycle in a delegation chain (`/a -> /b -> /a`), or its
    /// last names when it never repeats exactly (a name that keeps growing).
    static func loop(in chain: [Path]) -> [Path] {
        var seen: [Path: Int] = [:]
        for (index, path) in chain.enumerated() {
            if let start = seen[path] { return Array(chain[start...index]) }
            seen[path] = index
        }
        return Array(chain.suffix(5))
    }
}
