import Foundation
import XCTest

// MARK: - ImportLinkerdTests

/// `switchyard import linkerd` on example configs from Linkerd 1's own
/// repository (examples/linkerd/, sources in its README): the output is
/// the golden rule file beside each, it lints without errors, and every
/// setting not carried is reported at its line.
final class ImportLinkerdTests: XCTestCase {
    /// Fixture, the warnings the import reports, whether the result lints clean under --strict.
    let fixtures: [(name: String, warnings: Int, strict: Bool)] = [
        ("http", 5, true), ("retries", 3, true), ("client-options", 4, true), ("loadbalancer", 5, false),
        ("service-options", 0, true),
    ]

    func testLinkerdExamplesImportToRuleFilesThatLint() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for fixture in fixtures {
            let yaml = "examples/linkerd/\(fixture.name).yaml"
            let result = try CLIRunner.run(["import", "linkerd", yaml])
            XCTAssertEqual(result.status, 0, fixture.name + result.stderr)
            let golden = try String(contentsOf: CLIRunner.packageRoot.appendingPathComponent("examples/linkerd/\(fixture.name).routes"),
                                    encoding: .utf8)
            XCTAssertEqual(result.stdout, golden, fixture.name)
            let warnings = result.stderr.components(separatedBy: "warning[RL050").count - 1
            XCTAssertEqual(warnings, fixture.warnings, "\(fixture.name):\n\(result.stderr)")
            XCTAssertTrue(result.stderr.hasSuffix("\(fixture.warnings == 1 ? "1 setting" : "\(fixture.warnings) settings") not carried exactly\n"),
                          result.stderr)
            let routes = directory.appendingPathComponent("\(fixture.name).routes")
            try result.stdout.write(to: routes, atomically: true, encoding: .utf8)
            let lint = try CLIRunner.run(["lint", "--offline"] + (fixture.strict ? ["--strict"] : []) + [routes.path])
            XCTAssertEqual(lint.status, 0, "\(fixture.name): \(lint.stdout)")
            XCTAssertTrue(lint.stderr.hasPrefix("0 errors"), lint.stderr)
        }
    }

    func testEachSettingNotCarriedIsReportedAtItsLine() throws {
        let result = try CLIRunner.run(["import", "linkerd", "examples/linkerd/loadbalancer.yaml"])
        XCTAssertTrue(result.stderr.contains("loadbalancer.yaml:12:5: warning[RL0500]: not carried: server option `maxConcurrentRequests`"),
                      result.stderr)
        XCTAssertTrue(result.stderr.contains("loadbalancer.yaml:17:5: warning[RL0500]: not carried: client option `hostConnectionPool`"),
                      result.stderr)
        let http = try CLIRunner.run(["import", "linkerd", "examples/linkerd/http.yaml"])
        XCTAssertTrue(http.stderr.contains("http.yaml:18:5: warning[RL0501]"), http.stderr)
        XCTAssertTrue(http.stdout.contains("/svc => /host;"), "Linkerd's default identifier dtab, carried:\n\(http.stdout)")
    }

    func testNotALinkerdConfig() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("h2.yaml")
        try "routers:\n- protocol: h2\n  dtab: /svc => /#/io.l5d.fs\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["import", "linkerd", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("a `h2` router: Switchyard serves HTTP/1.1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("no `protocol: http` router to import"), result.stderr)
    }
}
