import Foundation
import XCTest

// MARK: - LintCommandTests

final class LintCommandTests: XCTestCase {
    func testExamplesLintClean() throws {
        let result = try CLIRunner.run(["lint", "examples/quickstart.routes", "examples/quickstart.yaml", "examples/canary.routes",
                                        "examples/failover.routes", "examples/slices.routes", "--strict"])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "0 errors, 0 warnings in 5 files\n")
    }

    func testErrorsAreRenderedWithCaretAndHelp() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.routes")
        try "listen 127.0.0.1:4140\nidentify hots\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["lint", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            \(file.path):2:10: error[RL0106]: unknown identifier `hots`
              |
            2 | identify hots
              |          ^~~~
              = help: did you mean `host`?

            """)
        XCTAssertEqual(result.stderr, "1 error, 0 warnings in 1 file\n")
    }

    func testGitHubFormat() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("warn.routes")
        try "listen 0.0.0.0:4140 allow-dtab-override\nidentify host\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["lint", "--format", "github", file.path])
        XCTAssertEqual(result.status, 0, "warnings alone do not fail")
        XCTAssertTrue(result.stdout.hasPrefix("::warning file=\(file.path),line=1,col=21,"), result.stdout)
        XCTAssertTrue(result.stdout.contains("title=RL0303::"), result.stdout)
        let strict = try CLIRunner.run(["lint", "--strict", file.path])
        XCTAssertEqual(strict.status, 1, "--strict fails on warnings")
    }

    func testJSONFormatCoversSeveralFiles() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.yaml")
        try "listen:\n  - adress: 127.0.0.1:1\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["lint", "--format", "json", "examples/canary.routes", bad.path])
        XCTAssertEqual(result.status, 1)
        let objects = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(objects.map { $0["code"] as? String }, ["RL0401", "RL0403"])
        XCTAssertEqual(objects.first?["help"] as? String, "did you mean `address`?")
    }

    func testErrorCapAndAllErrors() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("many.routes")
        try (1...25).map { "bogus\($0) 1" }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let capped = try CLIRunner.run(["lint", file.path])
        XCTAssertEqual(capped.stdout.components(separatedBy: "error[RL0101]").count - 1, 20)
        XCTAssertTrue(capped.stderr.contains("5 more errors not shown (use --all-errors)"), capped.stderr)
        XCTAssertTrue(capped.stderr.hasSuffix("25 errors, 0 warnings in 1 file\n"), capped.stderr)
        let all = try CLIRunner.run(["lint", "--all-errors", file.path])
        XCTAssertEqual(all.stdout.components(separatedBy: "error[RL0101]").count - 1, 25)
    }

    func testMissingFileIsAnErrorNotACrash() throws {
        let result = try CLIRunner.run(["lint", "does/not/exist.routes"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("does/not/exist.routes: no such file"), result.stderr)
    }
}
