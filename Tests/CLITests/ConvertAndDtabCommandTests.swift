import Foundation
import XCTest

// MARK: - ConvertAndDtabCommandTests

final class ConvertAndDtabCommandTests: XCTestCase {
    func testConvertThereAndBackIsAFixedPoint() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for example in ["quickstart", "canary", "failover", "slices"] {
            let yaml = directory.appendingPathComponent("\(example).yaml").path
            let routes = directory.appendingPathComponent("\(example).routes").path
            XCTAssertEqual(try CLIRunner.run(["convert", "examples/\(example).routes", "--to", "yaml", "-o", yaml]).status, 0)
            // Copies away from examples/: their `disco` directory is not beside them.
            XCTAssertEqual(try CLIRunner.run(["lint", "--strict", "--offline", yaml]).status, 0, example)
            XCTAssertEqual(try CLIRunner.run(["convert", yaml, "--to", "routes", "-o", routes]).status, 0)
            XCTAssertEqual(try CLIRunner.run(["lint", "--strict", "--offline", routes]).status, 0, example)
            let again = try CLIRunner.run(["convert", routes, "--to", "yaml"])
            XCTAssertEqual(again.stdout, try String(contentsOfFile: yaml, encoding: .utf8), example)
        }
    }

    func testConvertRefusesFilesWithErrors() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.routes")
        try "dtab { /svc => /#/nope; }\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["convert", file.path, "--to", "yaml"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("error[RL0206]"), result.stderr)
    }

    func testDtabShowPrintsFinagleForm() throws {
        let result = try CLIRunner.run(["dtab", "show", "/a/*/c => /d; /svc => 0.95 * /#/v1 & 0.05 * /#/v2 | /#/old"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "/a/*/c=>/d;/svc=>0.95*/#/v1 & 0.05*/#/v2 | /#/old\n")
    }

    func testDtabTreePrintsFinagleForm() throws {
        let result = try CLIRunner.run(["dtab", "tree", "1 * /foo & 2 * /bar | .5 * /baz"])
        XCTAssertEqual(result.stdout, "/foo & 2.00*/bar | /baz\n")
    }

    func testDtabParseErrorNamesTheColumn() throws {
        let result = try CLIRunner.run(["dtab", "show", "/a => /b; /c /d"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: column 14: expected `=>` after the dentry prefix, found path `/d`\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains("1 | /a => /b; /c /d\n  |              ^~"), result.stderr)
    }
}
