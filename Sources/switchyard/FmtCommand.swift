import ArgumentParser
import Foundation
import Proxy
import RouteLang

// MARK: - FmtCommand

/// `switchyard fmt FILE...`: print, rewrite or check the canonical form.
struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Print RouteLang files in canonical form (comments and blank-line groups are kept)."
    )

    @Argument(help: "RouteLang files (.routes).")
    var files: [String]

    @Flag(name: .long, help: "Rewrite the files in place.")
    var write = false

    @Flag(name: .long, help: "Print a diff and exit 1 when a file is not in canonical form.")
    var check = false

    @OptionGroup var diagnostics: DiagnosticOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
        if write && check { throw ValidationError("--write and --check exclude each other") }
    }

    func run() throws {
        var failed = false
        for path in files {
            let source: SourceFile
            do {
                source = try RuleFileLoader.read(path)
            } catch {
                Output.err("error: \(error)\n")
                failed = true
                continue
            }
            guard RuleSyntax(fileName: path) == .routes else {
                Output.err("error: \(path): fmt formats RouteLang files; use `switchyard convert` for YAML\n")
                failed = true
                continue
            }
            let (file, parsed) = Parser.parse(source, errorLimit: diagnostics.errorLimit)
            if parsed.hasErrors {
                // Never rewrite a file that did not parse: formatting would drop what failed.
                Output.err(DiagnosticRenderer(format: diagnostics.format).render(parsed.sorted, in: source))
                failed = true
                continue
            }
            let formatted = Formatter.format(file)
            if check {
                if formatted != source.text {
                    Output.out(UnifiedDiff.diff(old: source.text, new: formatted, path: path))
                    failed = true
                }
            } else if write {
                if formatted != source.text {
                    try Data(formatted.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    Output.err("formatted \(path)\n")
                }
            } else {
                Output.out(formatted)
            }
        }
        if failed { throw ExitCode(1) }
    }
}
