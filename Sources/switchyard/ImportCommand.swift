import ArgumentParser
import Foundation
import Proxy
import RouteLang

// MARK: - ImportCommand

/// `switchyard import linkerd FILE.yaml [-o OUT.routes]`: a Linkerd 1
/// config as RouteLang, with a diagnostic for every setting not carried.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert another proxy's configuration to RouteLang.",
        subcommands: [ImportLinkerdCommand.self]
    )
}

struct ImportLinkerdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linkerd",
        abstract: "Convert a Linkerd 1 linkerd.yaml (http router, io.l5d.fs namers) to a RouteLang rule file.",
        discussion: "Every setting that is not carried, or carried with a difference, is reported as a warning at its line."
    )

    @Argument(help: "A Linkerd 1 config (linkerd.yaml).")
    var file: String

    @Option(name: .shortAndLong, help: "Write the rule file here instead of to standard output.")
    var output: String?

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let source = try RuleFileLoader.read(file)
        let result = LinkerdImport.convert(source)
        let renderer = DiagnosticRenderer(format: diagnostics.format)
        Output.err(renderer.render(result.diagnostics.sorted, in: source))
        guard let routes = result.routes else { throw ExitCode(1) }
        if let output {
            try routes.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            Output.out(routes)
        }
        Output.err("\(Output.plural(result.diagnostics.warningCount, "setting")) not carried exactly\n")
    }
}
