import Foundation
import RouteLang
import XCTest

// MARK: - Test support

/// Shared helpers for RouteLang tests.
enum Support {
    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ name: String) throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func example(_ name: String) throws -> SourceFile {
        let url = packageRoot.appendingPathComponent("examples").appendingPathComponent(name)
        return SourceFile(name: "examples/\(name)", text: try String(contentsOf: url, encoding: .utf8))
    }

    static var exampleNames: [String] {
        let directory = packageRoot.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".routes") || $0.hasSuffix(".yaml") }.sorted()
    }

    /// Lints text as a file of the given name.
    static func lint(_ text: String, name: String = "test.routes") -> LintResult {
        RuleFrontEnd.lint(SourceFile(name: name, text: text))
    }

    /// `line:col: severity[CODE]: message` for each diagnostic.
    static func lines(_ result: LintResult) -> [String] {
        result.diagnostics.sorted.map { diagnostic in
            let location = result.source.location(of: diagnostic.range.start)
            return "\(location): \(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]: \(diagnostic.message)"
        }
    }

    /// Parses RouteLang that must be free of errors.
    static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> RuleFile {
        let (ruleFile, diagnostics) = Parser.parse(SourceFile(name: "test.routes", text: text))
        XCTAssertFalse(diagnostics.hasErrors, "unexpected errors: \(diagnostics.items.map(\.message))", file: file, line: line)
        return ruleFile
    }

    /// Compiles RouteLang that must be free of errors.
    static func compile(_ text: String, name: String = "test.routes", file: StaticString = #filePath, line: UInt = #line) -> RoutingConfig? {
        let result = lint(text, name: name)
        XCTAssertFalse(result.hasErrors, "unexpected errors: \(lines(result))", file: file, line: line)
        return result.config
    }
}
