import ArgumentParser
import Engine
import Proxy
import RouteLang

// MARK: - NamerOptions

/// Where `dtab resolve` finds namers: `--namer NAME=DIR` (a files namer)
/// and/or the namers of a rule file (`--config FILE`).
struct NamerOptions: ParsableArguments {
    @Option(name: .long, help: "A files namer reachable as /#/NAME: NAME=DIRECTORY (repeatable).")
    var namer: [String] = []

    @Option(name: .long, help: "Take namers (and, without --dtab, the dtab) from this rule file.")
    var config: String?

    func validate() throws {
        for spec in namer where !spec.contains("=") {
            throw ValidationError("--namer takes NAME=DIRECTORY, got `\(spec)`")
        }
    }

    /// The namers, the delegation work budget of `--config` (the default
    /// without one) and its dtab.
    func table() throws -> (namers: NamerTable, budget: Int, dtab: Dtab?) {
        var namers: [String: any Namer] = [:]
        var budget = Delegator.defaultBudget
        var dtab: Dtab?
        if let config {
            let built = try SnapshotBuilder.build(config, readDiscovery: true)
            guard let snapshot = built.snapshot else {
                Output.err(DiagnosticRenderer().render(built.lint.diagnostics.sorted, in: built.lint.source))
                throw ExitCode(1)
            }
            namers = snapshot.namers.namers
            budget = snapshot.delegationBudget
            dtab = snapshot.config.dtab
        }
        for spec in namer {
            let name = String(spec.prefix { $0 != "=" })
            let directory = String(spec.drop { $0 != "=" }.dropFirst())
            namers[name] = FilesNamer.load(name: name, directory: directory)
        }
        return (NamerTable(namers), budget, dtab)
    }
}
