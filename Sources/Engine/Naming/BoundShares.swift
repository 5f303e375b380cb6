import RouteLang

// MARK: - Bound shares

extension NameTree where T == BoundName {
    /// Each bound leaf with the share of traffic the tree sends it: union
    /// weights are normalised at each level and multiplied down the tree.
    public var shares: [(name: BoundName, share: Double)] {
        var result: [(name: BoundName, share: Double)] = []
        collectShares(1, into: &result)
        return result
    }

    private func collectShares(_ share: Double, into result: inout [(name: BoundName, share: Double)]) {
        switch self {
        case .leaf(let name): result.append((name, share))
        case .union(let branches):
            let total = branches.reduce(0) { $0 + max(0, $1.weight) }
            for branch in branches {
                let part = total > 0 ? max(0, branch.weight) / total : 1 / Double(branches.count)
                branch.tree.collectShares(share * part, into: &result)
            }
        case .alt(let trees):
            // Bound trees carry no alternation; the first branch is the one used.
            trees.first?.collectShares(share, into: &result)
        case .neg, .fail, .empty:
            break
        }
    }
}
