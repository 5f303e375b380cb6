import ArgumentParser
import Proxy
import RouteLang

// MARK: - PushCommand

/// `switchyard push FILE etcd://HOST:PORT/KEY`: publish rules to the proxies
/// that run on that key, after the same lint a reload does.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Lint a rule file and write it to an etcd key that proxies run on (`switchyard run etcd://…`).",
        discussion: """
            A file with errors is refused. The write is a compare-and-swap on the key's revision: the one read \\
            just before writing, or --revision (the revision your edit started from). When another push got there \\
            first, nothing is written and the command exits 1.
            """
    )

    @Argument(help: "A rule file (.routes, .yaml).")
    var file: String

    @Argument(help: "etcd://HOST:PORT/KEY")
    var url: String

    @Option(name: .long, help: "Write only if the key is still at this revision (0: only if it does not exist).")
    var revision: Int64?

    @OptionGroup var diagnostics: DiagnosticOptions

    func validate() throws {
        if EtcdRuleKey(url: url) == nil { throw ValidationError("`\(url)` is not an etcd key URL: write \(EtcdRuleKey.form)") }
    }

    func run() async throws {
        guard let key = EtcdRuleKey(url: url) else { throw ExitCode(2) }
        let (lint, outcome) = try await RulePush.push(file, to: key, expectedRevision: revision, errorLimit: diagnostics.errorLimit)
        Output.out(DiagnosticRenderer(format: diagnostics.format).render(lint.diagnostics.sorted, in: lint.source))
        switch outcome {
        case .refused:
            Output.err("not pushed: \(Output.plural(lint.diagnostics.errorCount, "error")) in \(file)\n")
            throw ExitCode(1)
        case .unchanged(let revision):
            Output.err("\(url) already holds \(file) (revision \(revision)); nothing written\n")
        case .conflict(let expected, let now):
            Output.err("not pushed: \(url) changed since revision \(expected) (it is at revision \(now) now); "
                + "read it, merge your change, and push again\n")
            throw ExitCode(1)
        case .written(let revision):
            Output.err("pushed \(file) to \(url) (revision \(revision))\n")
        }
    }
}
