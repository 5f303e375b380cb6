import RouteLang

// MARK: - DelegationLint

/// Finds delegation loops before a request does.
///
/// Every name the file can produce (each route's `to`, the identifier) is
/// bound with the real `Delegator`, its variables filled with a label no
/// dentry names (`{host}`) and with the labels the dentries do name:
/// - with every namer answering "bound" (the fewest alternatives reached),
///   a loop or an exhausted budget happens whatever discovery says: an
///   error (RL0226) naming the cycle and the dentries that make it;
/// - with every namer answering neg (every alternative reached), it can
///   happen when services are missing: a warning (RL0310);
/// - a cycle among dentries that some producible name can reach, through
///   labels the two runs did not try, is a warning too.
public struct DelegationLint {
    let file: RuleFile
    let config: RoutingConfig
    /// Each dentry of the base dtab (dtab blocks, then splits) with its place.
    let baseEntries: [(dentry: Dentry, range: SourceRange)]
    /// Each route's own dentries with their places.
    let routeEntries: [[(dentry: Dentry, range: SourceRange)]]
    /// The base dtab by prefix: every dtab a name is delegated with starts with it.
    let baseIndex: DentryIndex
    /// Names tried per variable label, besides the fresh one.
    static let labelCandidates = 16

    public init(file: RuleFile, config: RoutingConfig) {
        self.file = file
        self.config = config
        var dtab: [(Dentry, SourceRange)] = []
        var splits: [(Dentry, SourceRange)] = []
        var routes: [[(Dentry, SourceRange)]] = []
        for statement in file.statements {
            switch statement {
            case .dtab(let block): dtab += block.entries.map { ($0.dentry, $0.range) }
            case .split(let decl): splits.append((Compiler.dentry(for: decl), decl.range))
            case .route(let decl): routes.append(decl.dtabBlocks.flatMap { $0.entries.map { ($0.dentry, $0.range) } })
            default: break
            }
        }
        self.baseEntries = dtab + splits
        self.routeEntries = routes
        self.baseIndex = DentryIndex(baseEntries.map(\.dentry))
    }

    // MARK: Names

    /// A name the file can produce, with the dtab it is delegated with.
    struct Source {
        var template: PathTemplate
        var route: Int?
        var range: SourceRange
        /// The route's name; nil for the identifier.
        var routeName: String?

        var what: String { routeName.map { "route \($0)" } ?? "the identifier" }
    }

    /// A name template with the dtab it is bound with (-1: the base dtab).
    struct SourceKey: Hashable {
        var dtab: Int
        var template: PathTemplate
    }

    var sources: [Source] {
        var result: [Source] = []
        var routeIndex = 0
        for statement in file.statements {
            switch statement {
            case .route(let decl):
                if let target = decl.targets.first {
                    result.append(Source(template: target.value, route: routeIndex, range: target.range, routeName: decl.name.value))
                }
                routeIndex += 1
            case .identify(let decl):
                if let template = config.identification, !result.contains(where: { $0.route == nil }) {
                    result.append(Source(template: template, route: nil, range: decl.range, routeName: nil))
                }
            default: break
            }
        }
        return result
    }

    func entries(route: Int?) -> [(dentry: Dentry, range: SourceRange)] {
        baseEntries + (route.map { routeEntries[$0] } ?? [])
    }

    // MARK: Diagnostics

    public func diagnostics() -> [Diagnostic] {
        var reported: Set<[Int]> = []
        var diagnostics: [Diagnostic] = []
        var tried: Set<SourceKey> = []
        let bound = NamerTable(Dictionary(uniqueKeysWithValues: config.namers.map { ($0.name, OpaqueNamer(bind: true) as any Namer) }))
        let neg = NamerTable(Dictionary(uniqueKeysWithValues: config.namers.map { ($0.name, OpaqueNamer(bind: false) as any Namer) }))
        let budget = config.limits?.delegationBudget ?? Delegator.defaultBudget

        // Routes without their own dentries share the base dtab.
        var groups: [Int: [Source]] = [:]
        for source in sources {
            let dtabKey = source.route.flatMap { routeEntries[$0].isEmpty ? nil : $0 } ?? -1
            if tried.insert(SourceKey(dtab: dtabKey, template: source.template)).inserted { groups[dtabKey, default: []].append(source) }
        }
        for (dtabKey, group) in groups.sorted(by: { $0.key < $1.key }) {
            let entries = entries(route: dtabKey < 0 ? nil : dtabKey)
            let dtab = Dtab(entries.map(\.dentry))
            for source in group {
                diagnostics += bindings(of: source, dtab: dtab, entries: entries, namers: [(bound, true), (neg, false)],
                                        budget: budget, reported: &reported)
            }
            diagnostics += graphCycles(sources: group, entries: entries, reported: &reported)
        }
        return diagnostics
    }

    /// Binds each instance of the source's name with each namer table.
    func bindings(of source: Source, dtab: Dtab, entries: [(dentry: Dentry, range: SourceRange)],
                  namers: [(NamerTable, Bool)], budget: Int, reported: inout Set<[Int]>) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for name in instances(of: source.template, dtab: dtab) {
            for (namers, definite) in namers {
                let resolution = Delegator(dtab: dtab, namers: namers, budget: budget, index: baseIndex).bind(name, tracing: false)
                guard let error = resolution.error, !error.chain.isEmpty else {
                    // Without a choice between alternatives, other namer
                    // answers would walk the same names: no second run.
                    if !resolution.choseAlternatives { break }
                    continue
                }
                let (lead, around) = self.steps(from: name, along: error.chain, dtab: dtab)
                guard reported.insert(Set(around.map(\.entry)).sorted()).inserted else { break }
                diagnostics.append(report(error, name: name, steps: lead + around, entries: entries, source: source, definite: definite))
                break
            }
        }
        return diagnostics
    }

    func report(_ error: DelegationError, name: Path, steps: [Step], entries: [(dentry: Dentry, range: SourceRange)],
                source: Source, definite: Bool) -> Diagnostic {
        let cycle = error.chain.map(Self.display).joined(separator: " -> ")
        let what: String
        switch error.kind {
        case .budgetExceeded(let budget, _): what = "delegation of \(Self.display(name)) exceeds its work budget of \(budget) steps: \(cycle) -> …"
        default: what = "delegation loop: \(cycle)" + (error.chain.count > 1 && error.chain.first == error.chain.last ? "" : " -> …")
        }
        var notes = steps.map { step in
            Diagnostic.Note("`\(entries[step.entry].dentry.show)` rewrites \(Self.display(step.from)) to \(Self.display(step.to))",
                            at: entries[step.entry].range)
        }
        notes.append(Diagnostic.Note("\(Self.display(name)) is a name \(source.what) produces", at: source.range))
        let primary = steps.last.map { entries[$0.entry].range } ?? source.range
        if definite {
            return Diagnostic(.delegationLoop, what + ", with no way out", at: primary, notes: notes,
                              help: "make the cycle end in a namer (`/#/…`) or `/$/inet/…`, or remove a dentry of it")
        }
        return Diagnostic(.possibleDelegationLoop, what + " when discovery has none of the names tried before it",
                          at: primary, notes: notes,
                          help: "end the alternation with `~`, `!` or a `/$/inet/…` fallback that does not lead back")
    }

    // MARK: Steps

    /// One rewrite of a loop: the dentry (index into the entries) that
    /// turned `from` into `to`.
    struct Step {
        var entry: Int
        var from: Path
        var to: Path
    }

    /// The rewrites from `name` into the cycle and around it: breadth first
    /// over one-step lookups (bounded), then along the cycle itself.
    func steps(from name: Path, along chain: [Path], dtab: Dtab) -> (lead: [Step], around: [Step]) {
        guard let start = chain.first else { return ([], []) }
        var parent: [Path: (Path, Int)] = [:]
        var queue = [name]
        var seen: Set<Path> = [name]
        var index = 0
        while index < queue.count, index < 200, queue[index] != start {
            let path = queue[index]
            index += 1
            for (entry, next) in rewrites(of: path, dtab: dtab) where seen.insert(next).inserted {
                parent[next] = (path, entry)
                queue.append(next)
            }
        }
        var lead: [Step] = []
        var cursor = start
        while let (previous, entry) = parent[cursor] {
            lead.insert(Step(entry: entry, from: previous, to: cursor), at: 0)
            cursor = previous
        }
        var around: [Step] = []
        for (from, to) in zip(chain, chain.dropFirst()) {
            if let (entry, _) = rewrites(of: from, dtab: dtab).first(where: { $0.1 == to }) {
                around.append(Step(entry: entry, from: from, to: to))
            }
        }
        return (lead, around)
    }

    /// Each dentry matching `path` (last first) with each name it rewrites to.
    func rewrites(of path: Path, dtab: Dtab) -> [(Int, Path)] {
        var result: [(Int, Path)] = []
        for (index, dentry) in dtab.dentries.enumerated().reversed() {
            guard let suffix = dentry.match(path) else { continue }
            result += dentry.tree.leaves.map { (index, $0.appending(suffix)) }
        }
        return result
    }

    // MARK: Instances

    /// Concrete names for a template: every variable label as a label no
    /// dentry names, then (a bounded number of) the labels dentry prefixes
    /// have at that position, one variable label at a time.
    func instances(of template: PathTemplate, dtab: Dtab) -> [Path] {
        var fresh: [String] = []
        var slots: [(index: Int, parts: [PathTemplate.Part])] = []
        for label in template.labels {
            if label.count == 1, case .literal(let text) = label[0] {
                fresh.append(text)
                continue
            }
            let variables = label.compactMap { part -> PathTemplate.Variable? in
                if case .variable(let variable) = part { return variable } else { return nil }
            }
            if label.count == 1, case .path(let count) = variables.first {
                for _ in 0..<count {
                    slots.append((fresh.count, label))
                    fresh.append(Self.placeholder + "path")
                }
                continue
            }
            slots.append((fresh.count, label))
            fresh.append(Self.placeholder + (variables.first?.spelling ?? "label"))
        }
        var names = [Path(fresh)]
        for (slot, parts) in slots {
            var labels: [String] = []
            for dentry in dtab.dentries where dentry.prefix.count > slot {
                if case .label(let label) = dentry.prefix[slot], !labels.contains(label) { labels.append(label) }
                if labels.count == Self.labelCandidates { break }
            }
            for label in labels where Self.canFill(parts, with: label) {
                var filled = fresh
                filled[slot] = label
                names.append(Path(filled))
            }
        }
        return names
    }

    /// Whether a label written as parts (`{host}-v2`) can come out as `label`.
    static func canFill(_ parts: [PathTemplate.Part], with label: String) -> Bool {
        var pattern = Substring(label)
        for (index, part) in parts.enumerated() {
            guard case .literal(let text) = part else { continue }
            if index == 0 {
                guard pattern.hasPrefix(text) else { return false }
                pattern = pattern.dropFirst(text.count)
            } else if index == parts.count - 1 {
                guard pattern.hasSuffix(text) else { return false }
                pattern = pattern.dropLast(text.count)
            } else if let found = pattern.range(of: text) {
                pattern = pattern[found.upperBound...]
            } else {
                return false
            }
        }
        return true
    }

    /// Marks a label standing for a request fact; no dtab label contains it.
    static let placeholder = "\u{0}"

    /// A name as the operator reads it: `/svc/{host}`.
    static func display(_ path: Path) -> String {
        if path.labels.isEmpty { return "/" }
        return path.labels.map { label in
            label.hasPrefix(placeholder) ? "/{" + label.dropFirst() + "}" : "/" + Path.showLabel(label)
        }.joined()
    }
}

// MARK: - OpaqueNamer

/// Lint's stand-in for discovery: binds every name, or none.
struct OpaqueNamer: Namer {
    var bind: Bool

    func lookup(_ path: Path) -> NameTree<NamerResult> {
        bind ? .leaf(.bound(BoundName(id: path, endpoints: []))) : .neg
    }
}
