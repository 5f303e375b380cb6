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
            """
    )

    @Argument(help: "A rule file (.routes, .yaml).")
    var file: String

    @Argument(help: "A YAML file of test cases.")
    var cases: String

    func run() throws {
        let snapshot = try ExplainCommand.snapshot(file)
        let text = try String(contentsOfFile: cases, encoding: .utf8)
        let parsed: [RuleTestCase]
        do {
            parsed = try RuleTestFile.parse(text)
        } catch {
            Output.err("error: \(cases): \(error)\n")
            throw ExitCode(1)
        }
        var passed = 0
        var failed = 0
        for testCase in parsed {
            let problems = testCase.mismatches(in: snapshot)
            if problems.isEmpty {
                passed += 1
                Output.out("ok    \(testCase.name)\n")
            } else {
                failed += 1
                Output.out("FAIL  \(testCase.name)\n" + problems.map { "      \($0)\n" }.joined())
            }
        }
        Output.out("\(passed) passed, \(failed) failed\n")
        if failed > 0 || parsed.isEmpty { throw ExitCode(1) }
    }
}

// MARK: - RuleTestFile

/// Reads the YAML cases format; every unknown key is an error.
enum RuleTestFile {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> [RuleTestCase] {
        guard let root = try Yams.load(yaml: text) as? [String: Any], let list = root["cases"] as? [Any] else {
            throw Problem(description: "expected a mapping with a `cases` list")
        }
        try checkKeys(root, ["cases"], in: "the file")
        return try list.enumerated().map { index, item in
            guard let object = item as? [String: Any] else { throw Problem(description: "case \(index + 1) is not a mapping") }
            return try testCase(object, number: index + 1)
        }
    }

    static func testCase(_ object: [String: Any], number: Int) throws -> RuleTestCase {
        try checkKeys(object, ["name", "request", "headers", "dtab", "expect"], in: "case \(number)")
        let name = string(object["name"]) ?? "case \(number)"
        guard let request = string(object["request"]), let space = request.firstIndex(of: " ") else {
            throw Problem(description: "\(name): `request` must be 'METHOD URL'")
        }
        let headers = (object["headers"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }
            .map { RequestFacts.Header($0.key, string($0.value) ?? "") }
        let facts = RequestFacts(method: String(request[..<space]),
                                 target: String(request[request.index(after: space)...]).trimmingCharacters(in: .whitespaces),
                                 headers: headers)
        guard let expect = object["expect"] as? [String: Any], !expect.isEmpty else {
            throw Problem(description: "\(name): `expect` must list route, name, bound or status")
        }
        try checkKeys(expect, ["route", "name", "bound", "status"], in: "\(name): expect")
        var testCase = RuleTestCase(name: name, request: facts, dtabOverride: string(object["dtab"]))
        if expect.keys.contains("route") {
            let route = string(expect["route"])
            testCase.route = .some(route == nil || route == "none" ? nil : route)
        }
        testCase.logicalName = string(expect["name"])
        if let bound = expect["bound"] {
            testCase.bound = Set((bound as? [Any])?.compactMap(string) ?? [string(bound)].compactMap { $0 })
        }
        if let status = expect["status"] {
            guard let code = (status as? Int) ?? string(status).flatMap({ Int($0) }) else {
                throw Problem(description: "\(name): `status` must be a number")
            }
            testCase.status = code
        }
        return testCase
    }

    static func checkKeys(_ object: [String: Any], _ allowed: [String], in what: String) throws {
        for key in object.keys where !allowed.contains(key) {
            let help = Suggestion.help(for: key, among: allowed).map { " (\($0))" } ?? ""
            throw Problem(description: "unknown key `\(key)` in \(what)\(help)")
        }
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        default: return nil
        }
    }
}
