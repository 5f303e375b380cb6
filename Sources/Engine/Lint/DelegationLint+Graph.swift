import RouteLang

// MARK: - Dentry graph

extension DelegationLint {
    /// Cycles among dentries that a name of `source` can reach: dentry `i`
    /// leads to `j` when a leaf of `i`'s tree, with any suffix, can start
    /// with `j`'s prefix. Over-approximates (it ignores which alternative is
    /// taken and which labels requests carry), so each cycle is a warning,
    /// reported once, and only when the bindings above did not report it.
    func graphCycles(sources: [Source], entries: [(dentry: Dentry, range: SourceRange)], reported: inout Set<[Int]>) -> [Diagnostic] {
        let prefixes = entries.map(\.dentry.prefix)
        // Dentries by the first label of their prefix (nil: empty or `*`),
        // so each leaf is compared with the few prefixes that can match it.
        var byFirst: [String?: [Int]] = [:]
        for (index, prefix) in prefixes.enumerated() {
            if case .label(let first)? = prefix.first { byFirst[first, default: []].append(index) } else { byFirst[nil, default: []].append(index) }
        }
        func targets(_ name: [Dentry.Element]) -> [Int] {
            let candidates: [Int]
            if case .label(let first)? = name.first { candidates = (byFirst[first] ?? []) + (byFirst[nil] ?? []) } else { candidates = Array(prefixes.indices) }
            return candidates.filter { Self.canStart(name, with: prefixes[$0]) }
        }
        let edges = entries.map { entry in
            Array(Set(entry.dentry.tree.leaves.flatMap { targets($0.labels.map(Dentry.Element.label)) })).sorted()
        }
        var startOf: [Int: Source] = [:]
        for source in sources {
            let template = source.template.labels.map { label -> Dentry.Element in
                if label.count == 1, case .literal(let text) = label[0] { return .label(text) }
                return .any
            }
            for start in targets(template) where startOf[start] == nil { startOf[start] = source }
        }
        var diagnostics: [Diagnostic] = []
        for component in Self.cycles(edges, from: startOf.keys.sorted()) {
            guard reported.insert(component).inserted else { continue }
            let cycle = (component + [component[0]]).map { Dentry.show(prefix: prefixes[$0]) }.joined(separator: " -> ")
            var notes = component.dropFirst().map { Diagnostic.Note("`\(entries[$0].dentry.show)` is part of it", at: entries[$0].range) }
            if let source = sources.first {
                notes.append(Diagnostic.Note("\(source.what) produces names that reach it", at: source.range))
            }
            diagnostics.append(Diagnostic(.possibleDelegationLoop, "dentries can rewrite names into each other: \(cycle)",
                                          at: entries[component[0]].range, notes: notes,
                                          help: "make sure every name that enters the cycle leaves it (a namer, `/$/inet/…`, `~` or `!`)"))
        }
        return diagnostics
    }

    /// Whether a name starting with `name` (elements are labels, or `.any`
    /// for a label a request fills in) can have `prefix` as a prefix once
    /// some suffix is appended.
    static func canStart(_ name: [Dentry.Element], with prefix: [Dentry.Element]) -> Bool {
        for (have, want) in zip(name, prefix) {
            guard case .label(let wanted) = want, case .label(let label) = have else { continue }
            if wanted != label { return false }
        }
        return true
    }

    /// The strongly connected components with a cycle (two or more nodes,
    /// or one with an edge to itself) reachable from `starts` (Tarjan).
    static func cycles(_ edges: [[Int]], from starts: [Int]) -> [[Int]] {
        var index = 0
        var indices = [Int?](repeating: nil, count: edges.count)
        var lowlinks = [Int](repeating: 0, count: edges.count)
        var onStack = [Bool](repeating: false, count: edges.count)
        var stack: [Int] = []
        var result: [[Int]] = []

        func connect(_ node: Int) {
            indices[node] = index
            lowlinks[node] = index
            index += 1
            stack.append(node)
            onStack[node] = true
            for next in edges[node] {
                if indices[next] == nil {
                    connect(next)
                    lowlinks[node] = min(lowlinks[node], lowlinks[next])
                } else if onStack[next], let nextIndex = indices[next] {
                    lowlinks[node] = min(lowlinks[node], nextIndex)
                }
            }
            guard lowlinks[node] == indices[node] else { return }
            var component: [Int] = []
            while let top = stack.popLast() {
                onStack[top] = false
                component.append(top)
                if top == node { break }
            }
            if component.count > 1 || edges[node].contains(node) { result.append(component.sorted()) }
        }
        for start in starts where indices[start] == nil { connect(start) }
        return result
    }
}
