import Foundation
import RouteLang

// MARK: - DiscoveryLint

/// The checks that read discovery (`lint --offline` skips them): a `files`
/// namer whose directory cannot be read is an error, since every name it
/// should bind would answer 502; a dtab leaf `/#/NAMER/SERVICE` that the
/// namer's directory has no file for is a warning (an error under
/// `--strict`), since traffic sent there binds to neg and an alternation
/// or union quietly moves it to the other branches.
public struct DiscoveryLint {
    let file: RuleFile
    let config: RoutingConfig

    public init(file: RuleFile, config: RoutingConfig) {
        self.file = file
        self.config = config
    }

    public func diagnostics() -> [Diagnostic] {
        var result: [Diagnostic] = []
        var services: [String: (directory: String, names: Set<String>)] = [:]
        for (decl, namer) in zip(namerDecls, config.namers) {
            switch namer.kind {
            case .files:
                let loaded = FilesNamer.load(name: namer.name, directory: namer.argument)
                if let problem = loaded.problem {
                    result.append(Diagnostic(.unreadableNamerDirectory, "namer `\(namer.name)`: \(problem)", at: decl.argument.range,
                                             help: "a relative directory is read from the rule file's own directory; "
                                                 + "create it, or fix the path"))
                } else {
                    services[namer.name] = (namer.argument, Set(loaded.services.keys))
                }
            case .static, .dns, .etcd:
                // Asked at run time only (a lint run must not depend on a live server).
                break
            }
        }
        for leaf in leaves {
            let labels = leaf.value.labels
            guard labels.count >= 3, labels[0] == "#", let known = services[labels[1]], !known.names.contains(labels[2]) else { continue }
            let near = Suggestion.help(for: labels[2], among: known.names.sorted())
            result.append(Diagnostic(.unknownService,
                                     "`\(leaf.value.show)`: namer `\(labels[1])` has no service `\(labels[2])` in \(known.directory)",
                                     at: leaf.range,
                                     help: near ?? "traffic for it binds to neg: an alternation or union moves it to its other branches"))
        }
        return result
    }

    var namerDecls: [NamerDecl] {
        file.statements.compactMap { if case .namer(let decl) = $0 { return decl } else { return nil } }
    }

    /// Every path leaf of the dtab blocks (the file's and the routes'), and every split target.
    var leaves: [Spanned<Path>] {
        var result: [Spanned<Path>] = []
        for statement in file.statements {
            switch statement {
            case .dtab(let block): result += block.entries.flatMap(\.tree.pathLeaves)
            case .split(let decl): result += decl.entries.map(\.target)
            case .route(let decl): result += decl.dtabBlocks.flatMap { $0.entries.flatMap(\.tree.pathLeaves) }
            default: break
            }
        }
        return result
    }
}
