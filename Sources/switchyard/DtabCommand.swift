import ArgumentParser
import RouteLang

// MARK: - DtabCommand

/// `switchyard dtab …`: Finagle dtab tools (Linkerd 1's dtab playground on the command line).
struct DtabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtab",
        abstract: "Parse and show Finagle dtabs and name trees.",
        subcommands: [DtabShowCommand.self, DtabTreeCommand.self]
    )

    /// Prints a parse error with its column and the text, then fails.
    static func fail(_ error: DtabSyntaxError) -> ExitCode {
        Output.err("error: \(error)\n")
        if let first = error.diagnostics.first {
            Output.err(DiagnosticRenderer().excerpt(first.range, in: error.source))
            if let help = first.help { Output.err("  = help: \(help)\n") }
        }
        return ExitCode(1)
    }
}

/// `switchyard dtab show TEXT`.
struct DtabShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a dtab in Finagle's canonical show form (e.g. `/a/*/c=>/d`)."
    )

    @Argument(help: "A dtab such as '/svc => /#/disco; /svc/users => /#/disco/users-v2'.")
    var text: String

    func run() throws {
        switch DtabParser.parseDtab(text) {
        case .success(let dtab): Output.out(dtab.show + "\n")
        case .failure(let error): throw DtabCommand.fail(error)
        }
    }
}

/// `switchyard dtab tree TEXT`.
struct DtabTreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree",
        abstract: "Print a name tree in Finagle's canonical show form."
    )

    @Argument(help: "A name tree such as '1 * /foo & 2 * /bar | /baz'.")
    var text: String

    func run() throws {
        switch DtabParser.parseTree(text) {
        case .success(let tree): Output.out(tree.show + "\n")
        case .failure(let error): throw DtabCommand.fail(error)
        }
    }
}
