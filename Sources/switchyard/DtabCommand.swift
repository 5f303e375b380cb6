import ArgumentParser
import RouteLang

// MARK: - DtabCommand

/// `switchyard dtab …`: Finagle dtab tools (Linkerd 1's dtab playground on the command line).
struct DtabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtab",
        abstract: "Parse and show Finagle dtabs and name trees.",
        subcommands: [DtabShowCommand.self, DtabTreeCommand.self, DtabLookupCommand.self, DtabResolveCommand.self, DtabEvalCommand.self]
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

    /// The parsed value, or the error printed and exit 1.
    static func parse<T>(_ result: Result<T, DtabSyntaxError>) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw fail(error)
        }
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
        Output.out(try DtabCommand.parse(DtabParser.parseDtab(text)).show + "\n")
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
        Output.out(try DtabCommand.parse(DtabParser.parseTree(text)).show + "\n")
    }
}
