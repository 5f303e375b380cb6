import ArgumentParser
import Foundation
import Proxy
import RouteLang

// MARK: - ConvertCommand

/// `switchyard convert FILE --to yaml|routes`: the same model in the other syntax.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a rule file between RouteLang and YAML (the compiled IR is unchanged)."
    )

    @Argument(help: "A rule file (.routes, .yaml or .yml).")
    var file: String

    @Option(name: .long, help: "Target syntax: yaml or routes.")
    var to: RuleSyntax

    @Option(name: [.short, .long], help: "Write to this file instead of stdout.")
    var output: String?

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let result = try RuleFileLoader.lint(file, errorLimit: diagnostics.errorLimit)
        if result.hasErrors {
            // A file with errors would convert to something that means less than it says.
            Output.err(DiagnosticRenderer(format: diagnostics.format).render(result.diagnostics.sorted, in: result.source))
            throw ExitCode(1)
        }
        let text: String
        switch to {
        case .yaml: text = try YAMLEmitter.emit(result.file)
        case .routes: text = Formatter.format(result.file, layout: RuleSyntax(fileName: file) == .routes ? .source : .generated)
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            Output.out(text)
        }
    }
}

extension RuleSyntax: ExpressibleByArgument {}
