import Foundation
import XCTest

// MARK: - DiscoveryLintCommandTests

/// The silent misroutes lint now catches by reading discovery: a missing
/// namer directory, a service discovery does not have, and Linkerd namer
/// names that paste unchanged. The CLI runs from the package root, the
/// rule files live in a temporary directory: a relative namer directory
/// must be read from beside the file.
final class DiscoveryLintCommandTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try CLIRunner.temporaryDirectory()
        let disco = directory.appendingPathComponent("disco")
        try FileManager.default.createDirectory(at: disco, withIntermediateDirectories: true)
        for service in ["users-v1", "users-v2"] {
            try "127.0.0.1 9101\n".write(to: disco.appendingPathComponent(service), atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A rule file beside `disco/` (with a listener, so --strict has nothing else to say).
    func write(_ text: String, _ name: String = "rules.routes") throws -> String {
        let file = directory.appendingPathComponent(name)
        let listen = name.hasSuffix(".yaml") ? "listen: [{address: 127.0.0.1:4140}]\n" : "listen 127.0.0.1:4140\n"
        try (listen + text).write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func testARelativeDirectoryIsReadFromBesideTheRuleFile() throws {
        let file = try write("namer disco = files \"disco\"\nidentify host\ndtab { /svc => /#/disco; }\n")
        let result = try CLIRunner.run(["lint", "--strict", file])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }

    func testAMissingDirectoryIsAnErrorUnlessOffline() throws {
        let file = try write("namer disco = files \"dicso\"\nidentify host\ndtab { /svc => /#/disco; }\n")
        let result = try CLIRunner.run(["lint", file])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stdout.contains("error[RL0228]: namer `disco`: cannot read directory \(directory.path)/dicso"), result.stdout)
        XCTAssertTrue(result.stdout.contains("read from the rule file's own directory"), result.stdout)
        XCTAssertEqual(try CLIRunner.run(["lint", "--offline", file]).status, 0, "--offline reads no discovery")
    }

    func testAServiceDiscoveryDoesNotHaveIsAWarningAndFailsStrict() throws {
        let file = try write("""
            namer disco = files "disco"
            identify host
            dtab { /svc/users => /#/disco/users-v3 | /#/disco/users-v1; }
            split /svc/search {
              90% /#/disco/users-v1
              10% /#/disco/serach
            }
            """)
        let result = try CLIRunner.run(["lint", file])
        XCTAssertEqual(result.status, 0, "a warning")
        XCTAssertTrue(result.stdout.contains("warning[RL0312]: `/#/disco/users-v3`: namer `disco` has no service `users-v3`"), result.stdout)
        XCTAssertTrue(result.stdout.contains("did you mean `users-v1`?") || result.stdout.contains("did you mean `users-v2`?"), result.stdout)
        XCTAssertTrue(result.stdout.contains("warning[RL0312]: `/#/disco/serach`"), result.stdout)
        let strict = try CLIRunner.run(["lint", "--strict", file])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stdout.contains("error[RL0312]: `/#/disco/users-v3`"), "printed as an error under --strict: \(strict.stdout)")
        XCTAssertFalse(strict.stdout.contains("warning["), strict.stdout)
        XCTAssertTrue(strict.stderr.contains("2 errors, 0 warnings"), strict.stderr)
    }

    func testALinkerdDtabPastesUnchanged() throws {
        let file = try write("""
            namer io.l5d.fs = files "disco"
            identify host
            dtab {
              /svc => /#/io.l5d.fs;
            }
            """)
        let result = try CLIRunner.run(["lint", "--strict", file])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let yaml = try write("namers:\n  - name: io.l5d.fs\n    files: disco\nidentify: host\ndtab: |\n  /svc => /#/io.l5d.fs;\n", "rules.yaml")
        XCTAssertEqual(try CLIRunner.run(["lint", "--strict", yaml]).status, 0)
        let explain = try CLIRunner.run(["explain", file, "GET", "http://users-v1/"])
        XCTAssertTrue(explain.stdout.contains("/#/io.l5d.fs/users-v1"), explain.stdout)
    }
}
