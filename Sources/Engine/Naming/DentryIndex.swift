import RouteLang

// MARK: - DentryIndex

/// The dentries of a dtab in a trie over their prefixes' labels, so finding
/// the ones that match a path costs a walk as long as the path, not a scan
/// of the dtab. A 10,000-dentry dtab (one dentry per service, the shape of
/// Linkerd's big.dtab) then costs a miss what a 10-dentry one does.
///
/// `*` prefix elements are a second child per node, so a path walks both
/// the literal and the wildcard branch; matches come out last dentry first,
/// Finagle's order, whatever branch found them.
public final class DentryIndex: Sendable {
    /// How many dentries, from the dtab's start, the index covers.
    public let count: Int
    private let nodes: [Node]

    struct Node: Sendable {
        /// Dentries whose prefix ends here, in dtab order.
        var dentries: [Int] = []
        var children: [String: Int] = [:]
        var any: Int?
    }

    public init(_ dentries: [Dentry]) {
        var nodes = [Node()]
        for (position, dentry) in dentries.enumerated() {
            var node = 0
            for element in dentry.prefix {
                let next: Int?
                switch element {
                case .label(let label): next = nodes[node].children[label]
                case .any: next = nodes[node].any
                }
                if let next {
                    node = next
                    continue
                }
                nodes.append(Node())
                switch element {
                case .label(let label): nodes[node].children[label] = nodes.count - 1
                case .any: nodes[node].any = nodes.count - 1
                }
                node = nodes.count - 1
            }
            nodes[node].dentries.append(position)
        }
        self.count = dentries.count
        self.nodes = nodes
    }

    // MARK: Lookup

    /// Positions of the dentries whose prefix matches `path`, last first.
    public func matching(_ path: Path) -> [Int] {
        var found: [Int] = []
        collect(node: 0, path.labels, from: 0, into: &found)
        // One branch yields its dentries deepest last; several branches or
        // depths interleave, so order them once (usually one or two).
        if found.count > 1 { found.sort(by: >) }
        return found
    }

    private func collect(node: Int, _ labels: [String], from depth: Int, into found: inout [Int]) {
        found += nodes[node].dentries
        guard depth < labels.count else { return }
        if let child = nodes[node].children[labels[depth]] { collect(node: child, labels, from: depth + 1, into: &found) }
        if let any = nodes[node].any { collect(node: any, labels, from: depth + 1, into: &found) }
    }
}
