// MARK: - PathIndex

/// The clauses of one host bucket, indexed by path: exact paths in a hash,
/// prefixes in a trie over path segments, the rest (regex or no path) in a
/// list. `candidates` yields them in precedence order: exact, longest
/// prefix first, then the rest.
struct PathIndex: Sendable {
    var exact: [String: [Int]] = [:]
    var root = PrefixNode()
    var rest: [Int] = []

    struct PrefixNode: Sendable {
        var clauses: [Int] = []
        var children: [String: PrefixNode] = [:]
    }

    mutating func insert(_ index: Int, key: CompiledClause.PathKey) {
        switch key {
        case .exact(let path): exact[path, default: []].append(index)
        case .prefix(let segments): Self.insert(index, segments: segments[...], into: &root)
        case .other: rest.append(index)
        }
    }

    private static func insert(_ index: Int, segments: ArraySlice<String>, into node: inout PrefixNode) {
        guard let first = segments.first else {
            node.clauses.append(index)
            return
        }
        insert(index, segments: segments.dropFirst(), into: &node.children[first, default: PrefixNode()])
    }

    /// Sorts every list by precedence once the index is built.
    mutating func sort(by precedes: (Int, Int) -> Bool) {
        for key in exact.keys { exact[key]?.sort(by: precedes) }
        rest.sort(by: precedes)
        Self.sort(&root, by: precedes)
    }

    private static func sort(_ node: inout PrefixNode, by precedes: (Int, Int) -> Bool) {
        node.clauses.sort(by: precedes)
        for key in node.children.keys { sort(&node.children[key]!, by: precedes) }
    }

    /// Calls `visit` with candidate lists in precedence order until it returns true.
    @discardableResult
    func visitCandidates(path: String, segments: [Substring], _ visit: ([Int]) -> Bool) -> Bool {
        if let list = exact[path], visit(list) { return true }
        // Walk down the trie as far as the path goes, then visit deepest first.
        var chain: [PrefixNode] = [root]
        var node = root
        for segment in segments {
            guard let child = node.children[String(segment)] else { break }
            chain.append(child)
            node = child
        }
        for node in chain.reversed() where !node.clauses.isEmpty {
            if visit(node.clauses) { return true }
        }
        return !rest.isEmpty && visit(rest)
    }
}
