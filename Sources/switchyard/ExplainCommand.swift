import ArgumentParser
import Engine
import Foundation
import Proxy
import RouteLang

// MARK: - ExplainCommand

/// `switchyard explain FILE METHOD URL [-H 'name: value']... [--json]`.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show how a rule file routes one request: route, name, delegation, destinations, policy."
    )

    @Argument(help: "A rule file (.routes, .yaml).")
    var file: String

    @Argument(help: "The request method, e.g. GET.")
    var method: String

    @Argument(help: "The request URL, e.g. http://api.example.com/users/42?x=1.")
    var url: String

    @Option(name: .customShort("H"), help: "A request header, 'name: value' (repeatable).")
    var header: [String] = []

    @Option(name: .long, help: "A per-request dtab override, as an allowed l5d-dtab header would carry.")
    var dtab: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        if let problem = Self.requestProblem(method: method, url: url) { throw ValidationError(problem) }
    }

    /// Explain reads a request exactly as written: no scheme, host or method case is guessed.
    static func requestProblem(method: String, url: String) -> String? {
        if !LiteralParser.isToken(method) || method != method.uppercased() {
            return "`\(method)` is not an HTTP method as a client sends it: methods are case-sensitive"
                + (LiteralParser.isToken(method) ? "; did you mean `\(method.uppercased())`?" : "")
        }
        let lower = url.lowercased()
        if !lower.hasPrefix("http://") && !lower.hasPrefix("https://") {
            return "`\(url)` has no scheme: give the URL as http://HOST/PATH (the host is what routing reads)"
        }
        return nil
    }

    func run() throws {
        let snapshot = try Self.snapshot(file)
        let request = RequestFacts(method: method, target: url, headers: try Self.headers(header))
        let explanation = Explanation.explain(snapshot, request: request, dtabOverride: dtab)
        if json {
            let data = try JSONSerialization.data(withJSONObject: explanation.json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Output.out(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            Output.out(explanation.text)
        }
    }

    /// A snapshot of a rule file, or its diagnostics and exit 1. Errors are
    /// printed either way; a file whose only errors are delegation loops
    /// still explains, so the loop a request runs into can be seen.
    static func snapshot(_ file: String) throws -> RoutingSnapshot {
        let built = try SnapshotBuilder.build(file, keepingLoops: true, readDiscovery: true)
        if built.lint.hasErrors {
            Output.err(DiagnosticRenderer().render(built.lint.diagnostics.sorted.filter(\.isError), in: built.lint.source))
        }
        guard let snapshot = built.snapshot else {
            throw ExitCode(1)
        }
        return snapshot
    }

    static func headers(_ specs: [String]) throws -> [RequestFacts.Header] {
        try specs.map { spec in
            guard let colon = spec.firstIndex(of: ":") else { throw ValidationError("-H takes 'name: value', got `\(spec)`") }
            return RequestFacts.Header(String(spec[..<colon]).trimmingCharacters(in: .whitespaces),
                                       String(spec[spec.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }
}
