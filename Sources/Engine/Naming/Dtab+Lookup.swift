import RouteLang

// MARK: - One-step lookup

extension Dtab {
    /// A dentry that matched a path, with its tree rewritten for that path.
    public struct Match: Sendable, Hashable {
        public var dentry: Dentry
        /// The dentry's tree with the unmatched suffix appended to every leaf.
        public var tree: NameTree<Path>
    }

    /// The matching dentries, last first (the order Finagle tries them in).
    public func matches(_ path: Path) -> [Match] {
        var result: [Match] = []
        for dentry in dentries.reversed() {
            guard let suffix = dentry.match(path) else { continue }
            let tree = suffix.isEmpty ? dentry.tree : dentry.tree.map { $0.appending(suffix) }
            result.append(Match(dentry: dentry, tree: tree))
        }
        return result
    }

    /// Finagle's `Dtab.lookup`: one rewriting step. No match is `~`, one match
    /// is its tree, several form an alternation, last dentry first.
    public func lookup(_ path: Path) -> NameTree<Path> {
        let found = matches(path)
        switch found.count {
        case 0: return .neg
        case 1: return found[0].tree
        default: return .alt(found.map(\.tree))
        }
    }
}
