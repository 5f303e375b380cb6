import ArgumentParser
import Proxy
import RouteLang

// MARK: - LintCommand

/// `switchyard lint FILE...`: parse, check and compile rule files for CI.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check rule files; exit 1 on any error (or warning, with --strict)."
    )

    @Argument(help: "Rule files (.routes, .yaml or .yml).")
    var files: [String]

    @OptionGroup var diagnostics: DiagnosticOptions

    @Flag(name: .long, help: "Treat warnings as errors: printed as errors, and exit 1.")
    var strict = false

    @Flag(name: .long, help: "Skip the checks that read discovery (namer directories and their services).")
    var offline = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one rule file") }
    }

    func run() throws {
        let renderer = DiagnosticRenderer(format: diagnostics.format)
        var errors = 0
        var warnings = 0
        var reports: [(SourceFile, [Diagnostic])] = []
        for path in files {
            let result: LintResult
            do {
                result = try RuleFileLoader.lint(path, errorLimit: diagnostics.errorLimit, readDiscovery: !offline)
            } catch {
                Output.err("error: \(error)\n")
                errors += 1
                continue
            }
            // Under --strict a warning is an error (as -Werror): printed and counted as one.
            let sorted = strict ? result.diagnostics.sorted.map { Self.promoted($0) } : result.diagnostics.sorted
            errors += result.diagnostics.errorCount + (strict ? result.diagnostics.warningCount : 0)
            warnings += strict ? 0 : result.diagnostics.warningCount
            if diagnostics.format == .json {
                reports.append((result.source, sorted))
            } else {
                Output.out(renderer.render(sorted, in: result.source))
            }
            if result.diagnostics.suppressedErrors > 0 {
                Output.err("\(result.source.name): \(Output.plural(result.diagnostics.suppressedErrors, "more error")) not shown (use --all-errors)\n")
            }
        }
        if diagnostics.format == .json { Output.out(renderer.renderJSON(reports)) }
        Output.err("\(Output.plural(errors, "error")), \(Output.plural(warnings, "warning")) in \(Output.plural(files.count, "file"))\n")
        if errors > 0 { throw ExitCode(1) }
    }

    static func promoted(_ diagnostic: Diagnostic) -> Diagnostic {
        var promoted = diagnostic
        promoted.severity = .error
        return promoted
    }
}
