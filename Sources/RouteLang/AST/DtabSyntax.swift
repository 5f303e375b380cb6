// MARK: - DentrySyntax

/// `prefix => tree` as written, with ranges for the checker.
public struct DentrySyntax: Sendable, Hashable {
    public var prefix: Spanned<[Dentry.Element]>
    public var tree: TreeSyntax
    public var range: SourceRange

    /// The Finagle dentry this syntax denotes.
    public var dentry: Dentry { Dentry(prefix: prefix.value, tree: tree.nameTree) }
}

// MARK: - TreeSyntax

/// A name tree as written. Unlike `NameTree` it keeps parentheses, weight
/// spellings and ranges, so the formatter can print it back faithfully.
public indirect enum TreeSyntax: Sendable, Hashable {
    case path(Spanned<Path>)
    case neg(SourceRange)
    case fail(SourceRange)
    case empty(SourceRange)
    case alt([TreeSyntax], SourceRange)
    case union([WeightedSyntax], SourceRange)
    case group(TreeSyntax, SourceRange)

    public var range: SourceRange {
        switch self {
        case .path(let path): return path.range
        case .neg(let range), .fail(let range), .empty(let range): return range
        case .alt(_, let range), .union(_, let range), .group(_, let range): return range
        }
    }

    /// Lowers to Finagle's tree exactly as Finagle's parser builds it: a
    /// one-branch union is its branch (the weight is dropped), parentheses vanish.
    public var nameTree: NameTree<Path> {
        switch self {
        case .path(let path): return .leaf(path.value)
        case .neg: return .neg
        case .fail: return .fail
        case .empty: return .empty
        case .group(let inner, _): return inner.nameTree
        case .alt(let trees, _):
            return trees.count == 1 ? trees[0].nameTree : .alt(trees.map(\.nameTree))
        case .union(let branches, _):
            if branches.count == 1 { return branches[0].tree.nameTree }
            return .union(branches.map { NameTree.Weighted($0.weight?.value ?? NameTree<Path>.defaultWeight, $0.tree.nameTree) })
        }
    }

    /// Every path leaf with its range (for namer checks).
    public var pathLeaves: [Spanned<Path>] {
        switch self {
        case .path(let path): return [path]
        case .neg, .fail, .empty: return []
        case .group(let inner, _): return inner.pathLeaves
        case .alt(let trees, _): return trees.flatMap(\.pathLeaves)
        case .union(let branches, _): return branches.flatMap(\.tree.pathLeaves)
        }
    }
}

/// `[weight *] tree` inside a union.
public struct WeightedSyntax: Sendable, Hashable {
    public var weight: Spanned<Double>?
    public var tree: TreeSyntax
}
