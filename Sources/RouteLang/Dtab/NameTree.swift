// MARK: - NameTree

/// Finagle's name tree: the value a dentry delegates to and what binding
/// produces. `T` is `Path` before binding and a bound name after.
///
/// Semantics (Finagle `NameTree`): `alt` is fail-over (first branch that is
/// not neg), `union` is a weighted traffic split, `neg` means "no such name",
/// `fail` stops fail-over, `empty` is a name that exists with no endpoints.
public indirect enum NameTree<T: Sendable & Hashable>: Sendable, Hashable {
    case leaf(T)
    case alt([NameTree<T>])
    case union([Weighted<T>])
    case neg
    case fail
    case empty

    /// One branch of a union with its weight (Finagle's default is 1).
    public struct Weighted<U: Sendable & Hashable>: Sendable, Hashable {
        public var weight: Double
        public var tree: NameTree<U>

        public init(_ weight: Double = NameTree.defaultWeight, _ tree: NameTree<U>) {
            self.weight = weight
            self.tree = tree
        }
    }

    public static var defaultWeight: Double { 1.0 }

    /// Rewrites every leaf, keeping the shape and weights.
    public func map<U>(_ transform: (T) throws -> U) rethrows -> NameTree<U> {
        switch self {
        case .leaf(let value): return .leaf(try transform(value))
        case .alt(let trees): return .alt(try trees.map { try $0.map(transform) })
        case .union(let branches):
            return .union(try branches.map { NameTree<U>.Weighted<U>($0.weight, try $0.tree.map(transform)) })
        case .neg: return .neg
        case .fail: return .fail
        case .empty: return .empty
        }
    }

    /// Every leaf value, left to right.
    public var leaves: [T] {
        var result: [T] = []
        collectLeaves(into: &result)
        return result
    }

    /// Appends the leaves in one array. (A `flatMap(\.leaves)` here built
    /// a key path at run time on every call: this type is generic.)
    private func collectLeaves(into result: inout [T]) {
        switch self {
        case .leaf(let value): result.append(value)
        case .alt(let trees): for tree in trees { tree.collectLeaves(into: &result) }
        case .union(let branches): for branch in branches { branch.tree.collectLeaves(into: &result) }
        case .neg, .fail, .empty: break
        }
    }
}

// MARK: - Show

/// Values that have a Finagle show form (paths, bound names).
public protocol Showable {
    var show: String { get }
}

extension Path: Showable {}

extension NameTree where T: Showable {
    /// Finagle's `NameTree.show`: `|` at the top level, `&` below it, weights
    /// other than 1 as `%.2f*`, parentheses where a nested alt or union needs them.
    public var show: String {
        switch self {
        case .union(let branches) where branches.count == 1: return branches[0].tree.show
        case .alt(let trees) where trees.count == 1: return trees[0].show
        case .alt(let trees): return trees.map(\.show1).joined(separator: " | ")
        default: return show1
        }
    }

    private var show1: String {
        switch self {
        case .union(let branches) where branches.count == 1: return branches[0].tree.show1
        case .alt(let trees) where trees.count == 1: return trees[0].show1
        case .union(let branches):
            return branches.map { branch in
                branch.weight == NameTree.defaultWeight
                    ? branch.tree.showSimple
                    : WeightFormat.twoDecimals(branch.weight) + "*" + branch.tree.showSimple
            }.joined(separator: " & ")
        case .alt: return "(" + show + ")"
        default: return showSimple
        }
    }

    private var showSimple: String {
        switch self {
        case .union(let branches) where branches.count == 1: return branches[0].tree.showSimple
        case .alt(let trees) where trees.count == 1: return trees[0].showSimple
        case .union, .alt: return "(" + show + ")"
        case .leaf(let value): return value.show
        case .fail: return "!"
        case .neg: return "~"
        case .empty: return "$"
        }
    }
}
