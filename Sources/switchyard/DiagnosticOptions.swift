import ArgumentParser
import RouteLang

// MARK: - DiagnosticOptions

/// Options shared by every command that reports diagnostics.
struct DiagnosticOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or github (GitHub Actions annotations).")
    var format: DiagnosticRenderer.Format = .text

    @Flag(name: .long, help: "Report every error instead of the first \(DiagnosticOptions.defaultErrorLimit) per file.")
    var allErrors = false

    /// How many errors a file reports before the rest are only counted.
    static let defaultErrorLimit = 20

    var errorLimit: Int? { allErrors ? nil : Self.defaultErrorLimit }
}

extension DiagnosticRenderer.Format: ExpressibleByArgument {}
