import ArgumentParser
import Engine
import Foundation
import Proxy
import RouteLang

// MARK: - ExplainCommand

/// `switchyard explain FILE METHOD URL [-H 'name: value']... [--json]`, or
/// `switchyard explain --admin ADDR METHOD URL …` against a running proxy.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show how a rule file routes one request: route, name, delegation, destinations, policy.",
        discussion: """
            With --admin, a running proxy explains the request with its running rules and the endpoint sets \
            its discovery sources hold now (etcd, DNS, files), instead of a file read here.
            """
    )

    @Argument(help: "FILE METHOD URL: a rule file (.routes, .yaml), the method (GET) and the URL (http://api.example.com/users/42?x=1); METHOD URL with --admin.")
    var words: [String] = []

    @Option(name: .long, help: "A running proxy's admin address (HOST:PORT): explain with its live rules and endpoints.")
    var admin: String?

    @Option(name: .customShort("H"), help: "A request header, 'name: value' (repeatable).")
    var header: [String] = []

    @Option(name: .long, help: "A per-request dtab override, as an allowed l5d-dtab header would carry.")
    var dtab: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    var file: String { words[0] }
    var method: String { words[words.count - 2] }
    var url: String { words[words.count - 1] }

    func validate() throws {
        let wanted = admin == nil ? 3 : 2
        guard words.count == wanted else {
            throw ValidationError(admin == nil ? "give FILE METHOD URL (or --admin ADDR METHOD URL)"
                                               : "with --admin give METHOD URL (the proxy's own rules are used)")
        }
        if let problem = Self.requestProblem(method: method, url: url) { throw ValidationError(problem) }
        if let admin, case .failure(let problem) = LiteralParser.address(admin) { throw ValidationError(problem.message) }
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

    func run() async throws {
        if let admin { return try await explainLive(admin) }
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

    /// Asks the proxy's `/explain`, which answers from its running snapshot.
    func explainLive(_ admin: String) async throws {
        var query = [URLQueryItem(name: "method", value: method), URLQueryItem(name: "url", value: url),
                     URLQueryItem(name: "format", value: json ? "json" : "text")]
        query += try Self.headers(header).map { URLQueryItem(name: "header", value: "\($0.name): \($0.value)") }
        if let dtab { query.append(URLQueryItem(name: "dtab", value: dtab)) }
        var components = URLComponents()
        components.queryItems = query
        let answer = try await AdminClient.get(admin, path: "/explain?" + (components.percentEncodedQuery ?? ""))
        guard answer.status == 200 else {
            Output.err("\(admin): \(answer.body)")
            throw ExitCode(1)
        }
        Output.out(answer.body.hasSuffix("\n") ? answer.body : answer.body + "\n")
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
