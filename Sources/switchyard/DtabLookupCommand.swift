import ArgumentParser
import Engine
import RouteLang

// MARK: - DtabLookupCommand

/// `switchyard dtab lookup --dtab TEXT PATH`: one rewriting step.
struct DtabLookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Rewrite a path one step through a dtab (Finagle Dtab.lookup), in show form."
    )

    @Option(name: .long, help: "The dtab, e.g. '/svc => /#/disco'.")
    var dtab: String

    @Argument(help: "The path to look up, e.g. /svc/users.")
    var path: String

    func run() throws {
        let table = try DtabCommand.parse(DtabParser.parseDtab(dtab))
        let name = try DtabCommand.parse(DtabParser.parsePath(path))
        Output.out(table.lookup(name).show + "\n")
    }
}
