import ArgumentParser

// MARK: - Switchyard

/// The `switchyard` command: a thin root; each subcommand lives in its own file.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A service-mesh proxy whose routing is policy-as-data.",
        discussion: """
            Rule files are written in RouteLang (.routes) or YAML (.yaml). Lint them in CI,
            format them, convert between the two syntaxes, and inspect Finagle dtabs.
            """,
        version: Switchyard.version,
        subcommands: [RunCommand.self, DemoCommand.self, LintCommand.self, FmtCommand.self, ConvertCommand.self, DtabCommand.self, ExplainCommand.self, TestCommand.self, ImportCommand.self, PushCommand.self]
    )

    /// The release this build is (`switchyard --version`).
    static let version = "0.8.0"

}
