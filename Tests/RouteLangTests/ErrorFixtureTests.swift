import RouteLang
import XCTest

// MARK: - ErrorFixtureTests

/// Runs `Fixtures/errors.txt`: each bad input sits next to the diagnostics
/// it must produce, so a changed message shows up as a one-line diff.
final class ErrorFixtureTests: XCTestCase {
    struct Case {
        var name: String
        var input: String
        var expected: [String]
        var isYAML: Bool { name.hasSuffix("(yaml)") }
    }

    static func cases() throws -> [Case] {
        var cases: [Case] = []
        var current: Case?
        var inExpected = false
        for line in try Support.fixture("errors.txt").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") {
                if let done = current { cases.append(done) }
                current = Case(name: String(line.dropFirst(4)), input: "", expected: [])
                inExpected = false
            } else if line == "---", current != nil {
                inExpected = true
            } else if current != nil {
                if inExpected {
                    if !line.isEmpty { current?.expected.append(String(line)) }
                } else {
                    current?.input += line + "\n"
                }
            }
        }
        if let done = current { cases.append(done) }
        return cases
    }

    func testEveryFixtureProducesItsDiagnostics() throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for fixture in cases {
            let result = Support.lint(fixture.input, name: fixture.isYAML ? "case.yaml" : "case.routes")
            let actual = Support.lines(result)
            for expected in fixture.expected {
                XCTAssertTrue(actual.contains(expected), "\(fixture.name): missing `\(expected)`; got:\n\(actual.joined(separator: "\n"))")
            }
            let expectedErrors = fixture.expected.filter { $0.contains(": error[") }.count
            XCTAssertEqual(result.diagnostics.errorCount, expectedErrors,
                           "\(fixture.name): expected \(expectedErrors) errors; got:\n\(actual.joined(separator: "\n"))")
        }
    }

    func testFixturesCoverManyDistinctCodes() throws {
        let codes = Set(try Self.cases().flatMap(\.expected).compactMap { line -> String? in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        })
        XCTAssertGreaterThanOrEqual(codes.count, 40, "distinct codes: \(codes.sorted())")
    }
}
