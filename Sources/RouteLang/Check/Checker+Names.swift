// MARK: - Names and delegation

extension Checker {
    /// The built-in namers under `/$/`.
    static let builtinNamers = ["inet", "fail", "nil"]

    /// Namer names are unique; every declared namer is used somewhere.
    mutating func checkNamers() {
        for case .namer(let decl) in file.statements {
            if let first = namers[decl.name.value] {
                error(.duplicateNamer, "namer `\(decl.name.value)` is declared twice", at: decl.name.range,
                      notes: [Diagnostic.Note("first declared here", at: first)])
            } else {
                namers[decl.name.value] = decl.name.range
            }
            for option in decl.options where decl.kind.value.options[option.key.value] == nil {
                // The RouteLang parser stops at these; YAML reaches here.
                error(.unknownOption, "namer `\(decl.name.value)`: \(decl.kind.value.rawValue) namers have no option `\(option.key.value)`",
                      at: option.key.range,
                      help: decl.kind.value.options.isEmpty ? "a \(decl.kind.value.rawValue) namer takes no options"
                        : "\(decl.kind.value.rawValue) namer options are: " + decl.kind.value.options.keys.sorted().joined(separator: ", "))
            }
            switch decl.kind.value {
            case .files:
                if decl.argument.value.isEmpty {
                    error(.valueOutOfRange, "namer `\(decl.name.value)` needs a directory", at: decl.argument.range)
                }
            case .static:
                if case .failure(let problem) = LiteralParser.staticAddresses(decl.argument.value) {
                    error(.invalidStaticAddresses, "namer `\(decl.name.value)`: \(problem.message)", at: decl.argument.range, help: problem.help)
                }
            case .dns:
                checkDNSOptions(decl)
            case .etcd:
                if case .failure(let problem) = LiteralParser.etcdAddress(decl.argument.value) {
                    error(.invalidAddress, problem.message, at: decl.argument.range, help: problem.help)
                }
                if let prefix = decl.options.first(where: { $0.key.value == "prefix" })?.value, prefix.value.isEmpty {
                    error(.valueOutOfRange, "an empty prefix would read every key in etcd", at: prefix.range,
                          help: "e.g. `prefix \"/services/\"`")
                }
            }
        }
    }

    /// `port N` (1–65535) unless `srv`, a `resolver` address, a positive `refresh`.
    mutating func checkDNSOptions(_ decl: NamerDecl) {
        let options = Dictionary(decl.options.map { ($0.key.value, $0) }, uniquingKeysWith: { $1 })
        if let port = options["port"]?.value {
            if case .success(let value) = LiteralParser.integer(port.value), (1...65535).contains(value) {} else {
                error(.invalidPort, "invalid port `\(port.text)` for namer `\(decl.name.value)`", at: port.range, help: "a port is 1 to 65535")
            }
        } else if options["srv"] == nil {
            error(.valueOutOfRange, "namer `\(decl.name.value)` needs `port N` (A records carry no port) or `srv`", at: decl.argument.range,
                  help: "e.g. `namer \(decl.name.value) = dns \"\(decl.argument.value)\" port 8080`")
        }
        if let resolver = options["resolver"]?.value, case .failure(let problem) = LiteralParser.address(resolver.value) {
            error(.invalidAddress, problem.message, at: resolver.range, help: problem.help)
        }
        if let refresh = options["refresh"]?.value {
            if case .success(let duration) = LiteralParser.duration(refresh.value), duration > .zero {} else {
                error(.invalidDuration, "invalid refresh `\(refresh.text)`", at: refresh.range, help: "a duration such as `5s`")
            }
        }
    }

    /// Every dtab leaf names a declared namer (`/#/NAME`) or a built-in one
    /// (`/$/inet`, `/$/fail`, `/$/nil`); unused namers get a warning.
    mutating func checkDelegation() {
        var leaves: [Spanned<Path>] = []
        for statement in file.statements {
            switch statement {
            case .dtab(let block): leaves += block.entries.flatMap(\.tree.pathLeaves)
            case .route(let decl): leaves += decl.dtabBlocks.flatMap { $0.entries.flatMap(\.tree.pathLeaves) }
            case .split(let decl): leaves += decl.entries.map(\.target)
            default: break
            }
        }
        for leaf in leaves { checkLeaf(leaf) }
        for statement in file.statements {
            switch statement {
            case .dtab(let block): for entry in block.entries { checkWeights(entry.tree) }
            case .route(let decl): for entry in decl.dtabBlocks.flatMap(\.entries) { checkWeights(entry.tree) }
            default: break
            }
        }
        for case .namer(let decl) in file.statements where !usedNamers.contains(decl.name.value) {
            warning(.unusedNamer, "namer `\(decl.name.value)` is never used", at: decl.name.range,
                    help: "refer to it in the dtab as `/#/\(decl.name.value)`")
        }
    }

    /// Weights on the branches of an alternation mean nothing: `|` is
    /// fail-over, so `0.9 * /a | 0.1 * /b` sends everything to `/a`.
    mutating func checkWeights(_ tree: TreeSyntax) {
        switch tree {
        case .alt(let branches, _):
            let weighted = branches.compactMap { branch -> Spanned<Double>? in
                guard case .union(let parts, _) = branch, parts.count == 1 else { return nil }
                return parts[0].weight
            }
            if let first = weighted.first {
                let rewritten = branches.map { branch -> String in
                    if case .union(let parts, _) = branch, parts.count == 1, let weight = parts[0].weight {
                        return "\(weight.text) * \(Formatter.tree(parts[0].tree))"
                    }
                    return Formatter.tree(branch)
                }.joined(separator: " & ")
                error(.weightedAlternative, "a weight on a branch of `|` does nothing: `|` is fail-over, every request goes to "
                        + "the first branch that binds", at: first.range, help: "to split traffic, join the branches with `&`: `\(rewritten)`")
            }
            for branch in branches { checkWeights(branch) }
        case .union(let parts, _):
            for part in parts { checkWeights(part.tree) }
        case .group(let inner, _):
            checkWeights(inner)
        case .path, .neg, .fail, .empty:
            break
        }
    }

    mutating func checkLeaf(_ leaf: Spanned<Path>) {
        let labels = leaf.value.labels
        guard let head = labels.first, head == "#" || head == "$" else { return }
        guard labels.count >= 2 else {
            error(head == "#" ? .unknownNamer : .unknownBuiltinNamer, "`\(leaf.text)` names no namer", at: leaf.range,
                  help: head == "#" ? "write `/#/NAMER/...`" : "write `/$/inet/HOST/PORT`, `/$/fail` or `/$/nil`")
            return
        }
        let name = labels[1]
        if head == "#" {
            if namers[name] == nil {
                error(.unknownNamer, "unknown namer `\(name)` in `\(leaf.text)`", at: leaf.range,
                      help: Suggestion.help(for: name, among: namers.keys.sorted())
                        ?? "declare it, e.g. `namer \(name) = files \"disco\"`")
            }
            usedNamers.insert(name)
        } else if !Self.builtinNamers.contains(name) {
            error(.unknownBuiltinNamer, "unknown built-in namer `/$/\(name)`", at: leaf.range,
                  help: Suggestion.help(for: name, among: Self.builtinNamers) ?? "built-ins are /$/inet, /$/fail and /$/nil")
        } else if name == "inet", labels.count >= 4, !(Int(labels[3]).map { (0...65535).contains($0) } ?? false) {
            error(.invalidPort, "invalid port `\(labels[3])` in `\(leaf.text)`", at: leaf.range,
                  help: "write `/$/inet/HOST/PORT` with a port from 0 to 65535")
        }
    }

    /// Whether a name starting with `prefix` could be rewritten by some
    /// dentry (or is already a namer or built-in path).
    func canBind(_ prefix: Path, dtab: [Dentry]) -> Bool {
        if let head = prefix.labels.first, head == "#" || head == "$" { return true }
        return dtab.contains { dentry in
            // Either the dentry's prefix covers the known part of the name, or
            // the known part is shorter and template variables may complete it.
            let shared = min(dentry.prefix.count, prefix.count)
            for index in 0..<shared {
                if case .label(let label) = dentry.prefix[index], label != prefix.labels[index] { return false }
            }
            return true
        }
    }

    /// The file-level dentries (dtab blocks and splits).
    var fileDtab: [Dentry] {
        file.statements.flatMap { statement -> [Dentry] in
            switch statement {
            case .dtab(let block): return block.entries.map(\.dentry)
            case .split(let decl): return [Compiler.dentry(for: decl)]
            default: return []
            }
        }
    }
}
