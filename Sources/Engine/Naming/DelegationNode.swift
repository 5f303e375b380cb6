import RouteLang

// MARK: - DelegationNode

/// One step of a delegation, for explanations (Linkerd 1's dtab
/// playground): which name was looked up, which dentries matched, which
/// branch was taken, and what each branch bound to.
public struct DelegationNode: Sendable, Hashable {
    public enum Step: Sendable, Hashable {
        /// A name being resolved.
        case name(Path)
        /// A name already expanded at the same depth earlier in this
        /// binding: its answer is reused and its steps are not shown again.
        case repeated(Path)
        /// A dentry that matched the parent name; its child is the rewritten tree.
        case dentry(Dentry)
        /// The name was handed to a namer (`/#/disco`, `/$`).
        case namer(Path)
        case alt
        case union
        /// One weighted branch of a union.
        case weight(Double)
        case neg
        case fail
        case empty
        case bound(BoundName)
    }

    /// What a step evaluated to.
    public enum Outcome: Sendable, Hashable {
        case bound
        case neg
        case fail
        case empty
        case error(String)
        /// An alternative after one that already succeeded or failed.
        case notReached
    }

    public var step: Step
    public var outcome: Outcome
    public var children: [DelegationNode]

    /// What an untraced binding returns for every step.
    public static let untraced = DelegationNode(.neg, .neg)

    public init(_ step: Step, _ outcome: Outcome, _ children: [DelegationNode] = []) {
        self.step = step
        self.outcome = outcome
        self.children = children
    }
}

extension DelegationNode.Outcome {
    /// The outcome of a bound tree (simplified, so no alternation is left).
    init<T>(_ tree: NameTree<T>) {
        switch tree {
        case .neg: self = .neg
        case .fail: self = .fail
        case .empty: self = .empty
        default: self = .bound
        }
    }

    public var name: String {
        switch self {
        case .bound: return "bound"
        case .neg: return "neg"
        case .fail: return "fail"
        case .empty: return "empty"
        case .error: return "error"
        case .notReached: return "not reached"
        }
    }
}
