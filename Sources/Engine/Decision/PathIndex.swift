// MARK: - PathIndex

/// The clauses of one host bucket, indexed by path: exact paths in a hash,
/// prefixes in a trie over path segments, the rest (regex or no path) in a
/// list. Candidates come out in precedence order: exact, longest prefix
/// first, then the rest.
///
/// The trie is a flat array of nodes whose children map a segment to a node
/// index, so a lookup walks indices and copies nothing; the request's path
/// is read as bytes (`ByteTable`).
struct PathIndex: Sendable {
    var exact = ByteTable<[Int]>()
    var nodes = [PrefixNode()]
    var rest: [Int] = []

    struct PrefixNode: Sendable {
        var clauses: [Int] = []
        var children = ByteTable<Int>()
    }

    mutating func insert(_ index: Int, key: CompiledClause.PathKey) {
        switch key {
        case .exact(let path): exact[path, default: []].append(index)
        case .other: rest.append(index)
        case .prefix(let segments):
            var node = 0
            for segment in segments {
                if let child = nodes[node].children[segment] {
                    node = child
                } else {
                    nodes.append(PrefixNode())
                    nodes[node].children[segment] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
            nodes[node].clauses.append(index)
        }
    }

    /// Sorts every list by precedence once the index is built.
    mutating func sort(by precedes: (Int, Int) -> Bool) {
        for key in exact.keys { exact[key] = exact[key]!.sorted(by: precedes) }
        rest.sort(by: precedes)
        for node in nodes.indices { nodes[node].clauses.sort(by: precedes) }
    }

    /// Offers candidate lists in precedence order until the visitor accepts one.
    func visitCandidates<Visitor: CandidateVisitor>(path: UnsafeBufferPointer<UInt8>, request: RequestFacts,
                                                    _ visitor: inout Visitor) -> Bool {
        if !exact.isEmpty, let list = exact.value(for: path), visitor.visit(list, request) { return true }
        if nodes.count > 1 || !nodes[0].clauses.isEmpty {
            let start = path.first == Self.slash ? 1 : 0
            if visitPrefixes(0, path: path, from: start, request: request, &visitor) { return true }
        }
        return !rest.isEmpty && visitor.visit(rest, request)
    }

    static let slash = UInt8(ascii: "/")

    /// Walks down the trie along the path's segments (`/a/b` is `a`, `b`)
    /// and offers nodes on the way back up, so the longest prefix comes first.
    /// `start` is where the next segment begins, nil after the last one.
    private func visitPrefixes<Visitor: CandidateVisitor>(_ node: Int, path: UnsafeBufferPointer<UInt8>, from start: Int?,
                                                          request: RequestFacts, _ visitor: inout Visitor) -> Bool {
        if let start, !nodes[node].children.isEmpty {
            var end = start
            while end < path.count, path[end] != Self.slash { end += 1 }
            if let child = nodes[node].children.value(for: UnsafeBufferPointer(rebasing: path[start..<end])) {
                let next = end < path.count ? end + 1 : nil
                if visitPrefixes(child, path: path, from: next, request: request, &visitor) { return true }
            }
        }
        return !nodes[node].clauses.isEmpty && visitor.visit(nodes[node].clauses, request)
    }
}

// MARK: - CandidateVisitor

/// Receives candidate clause lists in precedence order; returns true to stop.
/// A protocol rather than a closure so the per-request walk is specialised
/// and allocates nothing.
protocol CandidateVisitor {
    mutating func visit(_ candidates: [Int], _ request: RequestFacts) -> Bool
}
