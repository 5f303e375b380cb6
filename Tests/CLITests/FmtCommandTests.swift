import Foundation
import XCTest

// MARK: - FmtCommandTests

final class FmtCommandTests: XCTestCase {
    let messy = "listen   127.0.0.1:4140 # edge\nidentify   host\ndtab{/svc=>/#/d;}\nnamer d = files \"d\"\n"
    let canonical = "listen 127.0.0.1:4140  # edge\nidentify host\ndtab {\n  /svc => /#/d;\n}\nnamer d = files \"d\"\n"

    func testPrintsCanonicalForm() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a.routes")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["fmt", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, canonical)
    }

    func testCheckPrintsADiffAndWriteFixesIt() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a.routes")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        let check = try CLIRunner.run(["fmt", "--check", file.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stdout.contains("\n-identify   host\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("\n+identify host\n"), check.stdout)
        let write = try CLIRunner.run(["fmt", "--write", file.path])
        XCTAssertEqual(write.status, 0, write.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), canonical)
        XCTAssertEqual(try CLIRunner.run(["fmt", "--check", file.path]).status, 0)
    }

    func testFileWithErrorsIsNeverRewritten() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.routes")
        let text = "identify   host\nroute r { wen x }\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["fmt", "--write", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("error[RL0117]"), result.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), text)
    }

    func testExamplesAreCanonical() throws {
        let result = try CLIRunner.run(["fmt", "--check", "examples/quickstart.routes", "examples/canary.routes",
                                        "examples/failover.routes", "examples/slices.routes"])
        XCTAssertEqual(result.status, 0, result.stdout)
    }
}
