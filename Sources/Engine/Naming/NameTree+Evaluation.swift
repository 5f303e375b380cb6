import RouteLang

// MARK: - Simplification

extension NameTree {
    /// Finagle's `NameTree.simplified`: an evaluation-equivalent tree with
    /// empty and one-branch alts and unions removed, neg branches dropped,
    /// fail and neg branches dropped from unions, and alternation cut after
    /// the first fail. A fixpoint: `t.simplified.simplified == t.simplified`.
    public var simplified: NameTree<T> {
        switch self {
        case .alt(let trees):
            var kept: [NameTree<T>] = []
            for tree in trees {
                let simple = tree.simplified
                if case .neg = simple { continue }
                kept.append(simple)
                if case .fail = simple { break }
            }
            if kept.isEmpty { return .neg }
            return kept.count == 1 ? kept[0] : .alt(kept)
        case .union(let branches):
            var kept: [Weighted<T>] = []
            for branch in branches {
                let simple = branch.tree.simplified
                switch simple {
                case .fail, .neg: continue
                default: kept.append(Weighted(branch.weight, simple))
                }
            }
            if kept.isEmpty { return .neg }
            return kept.count == 1 ? kept[0].tree : .union(kept)
        case .leaf, .neg, .fail, .empty:
            return self
        }
    }
}

// MARK: - Evaluation

extension NameTree {
    /// The outcome of evaluating a tree (Finagle `NameTree.eval`, which
    /// discards weights): a set of leaves (empty for `$`), or no destination.
    public enum Evaluation: Hashable, Sendable {
        case leaves(Set<T>)
        case neg
        case fail
    }

    /// Evaluates the tree: alt takes the first branch that is not neg (fail
    /// stops it), union joins the leaves of its branches that are not neg or fail.
    public var evaluation: Evaluation {
        switch self {
        case .leaf(let value): return .leaves([value])
        case .empty: return .leaves([])
        case .neg: return .neg
        case .fail: return .fail
        case .alt(let trees):
            for tree in trees {
                switch tree.evaluation {
                case .neg: continue
                case let outcome: return outcome
                }
            }
            return .neg
        case .union(let branches):
            var leaves: Set<T> = []
            var any = false
            for branch in branches {
                if case .leaves(let values) = branch.tree.evaluation {
                    leaves.formUnion(values)
                    any = true
                }
            }
            return any ? .leaves(leaves) : .neg
        }
    }

    /// Finagle's `eval`: the leaf set, or nil for neg and fail.
    public func eval() -> Set<T>? {
        if case .leaves(let values) = evaluation { return values }
        return nil
    }
}
