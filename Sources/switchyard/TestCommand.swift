import ArgumentParser
import Engine
import Foundation
import Proxy
import RouteLang
import Yams

// MARK: - TestCommand

/// `switchyard test FILE CASES`: rule tests for CI.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run rule tests: requests and the route, name, destinations or status each must get.",
        discussion: """
            CASES is YAML:
              cases:
                - name: users API goes to the users split
                  request: GET http://api.example.com/users/42
                  headers: {x-env: prod}
                  expect: {route: users-api, name: /svc/users, bound: [/#/disco/users-v1, /#/disco/users-v2]}
                - name: unknown hosts are not bound
                  request: GET http://nope.example.com/
                  expect: {status: 502}
            expect keys: route (a name, or none), name, bound (an id or a list), status (200 routed, 400, 502).
            --format json prints one JSON object; --format github prints GitHub Actions annotations for failures.
            """
    )

    @Argument(help: "A rule file (.routes, .yaml).")
    var file: String

    @Argument(help: "A YAML file of test cases.")
    var cases: String

    @Option(name: .long, help: "Output format: text, json or github (GitHub Actions annotations).")
    var format: DiagnosticRenderer.Format = .text

    func run() throws {
        let snapshot = try ExplainCommand.snapshot(file)
        let text = try String(contentsOfFile: cases, encoding: .utf8)
        let parsed: [RuleTestFile.Case]
        do {
            parsed = try RuleTestFile.parse(text)
        } catch {
            Output.err("\(cases):\(error)\n")
            throw ExitCode(1)
        }
        let results = parsed.map { (entry: $0, problems: $0.testCase.mismatches(in: snapshot)) }
        let failed = results.filter { !$0.problems.isEmpty }.count
        let passed = results.count - failed
        switch format {
        case .text:
            for (entry, problems) in results {
                Output.out(problems.isEmpty ? "ok    \(entry.testCase.name)\n"
                           : "FAIL  \(entry.testCase.name) (\(cases):\(entry.line))\n" + problems.map { "      \($0)\n" }.joined())
            }
            Output.out("\(passed) passed, \(failed) failed\n")
        case .github:
            for (entry, problems) in results where !problems.isEmpty {
                Output.out("::error file=\(DiagnosticRenderer.escapeProperty(cases)),line=\(entry.line),"
                           + "title=\(DiagnosticRenderer.escapeProperty(entry.testCase.name))::"
                           + DiagnosticRenderer.escapeData(problems.joined(separator: "\n")) + "\n")
            }
            Output.out("\(passed) passed, \(failed) failed\n")
        case .json:
            let object: [String: Any] = [
                "file": file, "cases": cases, "passed": passed, "failed": failed,
                "results": results.map { entry, problems in
                    ["name": entry.testCase.name, "line": entry.line, "passed": problems.isEmpty, "problems": problems] as [String: Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Output.out(String(decoding: data, as: UTF8.self) + "\n")
        }
        if failed > 0 || parsed.isEmpty { throw ExitCode(1) }
    }
}

// MARK: - RuleTestFile

/// Reads the YAML cases format (docs/rule-tests.md); every unknown key is
/// an error, and every error says where: `LINE:COLUMN: error: …`.
enum RuleTestFile {
    struct Case {
        var testCase: RuleTestCase
        var line: Int
    }

    struct Problem: Error, CustomStringConvertible {
        var line: Int
        var column: Int
        var message: String

        init(_ message: String, at node: Node?) {
            self.message = message
            line = node?.mark?.line ?? 1
            column = node?.mark?.column ?? 1
        }

        var description: String { "\(line):\(column): error: \(message)" }
    }

    static func parse(_ text: String) throws -> [Case] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem("not YAML: \(error)", at: nil)
        }
        guard let mapping = root?.mapping, let list = mapping["cases"]?.sequence else {
            throw Problem("expected a mapping with a `cases` list", at: root)
        }
        try checkKeys(mapping, ["cases"], in: "the file")
        return try list.enumerated().map { index, item in
            guard let object = item.mapping else { throw Problem("case \(index + 1) is not a mapping", at: item) }
            return Case(testCase: try testCase(object, node: item, number: index + 1), line: item.mark?.line ?? 0)
        }
    }

    static func testCase(_ object: Node.Mapping, node: Node, number: Int) throws -> RuleTestCase {
        try checkKeys(object, ["name", "request", "headers", "dtab", "expect"], in: "case \(number)")
        let name = object["name"]?.string ?? "case \(number)"
        guard let requestNode = object["request"], let request = requestNode.string, let space = request.firstIndex(of: " ") else {
            throw Problem("\(name): `request` must be 'METHOD URL'", at: object["request"] ?? node)
        }
        var headers: [RequestFacts.Header] = []
        if let headerNode = object["headers"] {
            guard let headerMap = headerNode.mapping else { throw Problem("\(name): `headers` must be a mapping", at: headerNode) }
            headers = headerMap.map { RequestFacts.Header($0.key.string ?? "", $0.value.string ?? "") }.sorted { $0.name < $1.name }
        }
        let facts = RequestFacts(method: String(request[..<space]),
                                 target: String(request[request.index(after: space)...]).trimmingCharacters(in: .whitespaces),
                                 headers: headers)
        guard let expectNode = object["expect"], let expect = expectNode.mapping, !expect.isEmpty else {
            throw Problem("\(name): `expect` must list route, name, bound or status", at: object["expect"] ?? node)
        }
        try checkKeys(expect, ["route", "name", "bound", "status"], in: "\(name): expect")
        var testCase = RuleTestCase(name: name, request: facts, dtabOverride: object["dtab"]?.string)
        if let routeNode = expect["route"] {
            let route = routeNode.string
            testCase.route = .some(route == nil || route == "none" || route == "" ? nil : route)
        }
        testCase.logicalName = expect["name"]?.string
        if let bound = expect["bound"] {
            testCase.bound = Set(bound.sequence?.compactMap(\.string) ?? [bound.string].compactMap { $0 })
        }
        if let status = expect["status"] {
            guard let code = status.int else { throw Problem("\(name): `status` must be a number", at: status) }
            testCase.status = code
        }
        return testCase
    }

    static func checkKeys(_ object: Node.Mapping, _ allowed: [String], in what: String) throws {
        for key in object.keys {
            guard let text = key.string, !allowed.contains(text) else { continue }
            let help = Suggestion.help(for: text, among: allowed).map { " (\($0))" } ?? ""
            throw Problem("unknown key `\(text)` in \(what)\(help)", at: key)
        }
    }
}
