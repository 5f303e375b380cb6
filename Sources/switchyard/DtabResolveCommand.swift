import ArgumentParser
import Engine
import Foundation
import RouteLang

// MARK: - DtabResolveCommand

/// `switchyard dtab resolve (--dtab TEXT | --config FILE) PATH [--json]`:
/// full binding, through the given dtab or the rule file's own.
struct DtabResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Bind a path through a dtab and namers; show every step, the bound tree and the endpoints."
    )

    @Option(name: .long, help: "The dtab, e.g. '/svc => /#/disco' (default: the dtab of --config).")
    var dtab: String?

    @Argument(help: "The path to resolve, e.g. /svc/users.")
    var path: String

    @OptionGroup var namers: NamerOptions

    @Flag(name: .long, help: "Print JSON: result, tree, endpoints, error.")
    var json = false

    func validate() throws {
        if dtab == nil && namers.config == nil { throw ValidationError("give --dtab, or --config FILE to use that file's dtab") }
    }

    func run() throws {
        let name = try DtabCommand.parse(DtabParser.parsePath(path))
        let (namerTable, budget, configDtab) = try namers.table()
        let table = try dtab.map { try DtabCommand.parse(DtabParser.parseDtab($0)) } ?? configDtab ?? Dtab([])
        let resolution = Delegator(dtab: table, namers: namerTable, budget: budget).bind(name)
        if json {
            var object: [String: Any] = ["result": resolution.outcome.name, "tree": resolution.tree.show]
            object["endpoints"] = resolution.tree.shares.flatMap { leaf, share in
                leaf.endpoints.map { endpoint in
                    ["id": leaf.id.show, "residual": leaf.residual.show, "address": endpoint.description, "weight": share] as [String: Any]
                }
            }
            if let error = resolution.error { object["error"] = error.description }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Output.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            var out = "result  \(resolution.outcome.name)\n"
            if let error = resolution.error { out += "error   \(error)\n" }
            out += "tree    \(resolution.tree.show)\n"
            for (leaf, share) in resolution.tree.shares {
                let endpoints = leaf.endpoints.isEmpty ? "no endpoints" : leaf.endpoints.map(\.description).joined(separator: ", ")
                out += "        \(Explanation.percent(share)) \(leaf.id.show)\(leaf.residual.isEmpty ? "" : " residual \(leaf.residual.show)") -> \(endpoints)\n"
            }
            out += "delegation\n" + Explanation.render(resolution.trace, indent: "  ")
            Output.out(out)
        }
        if resolution.error != nil { throw ExitCode(1) }
    }
}
