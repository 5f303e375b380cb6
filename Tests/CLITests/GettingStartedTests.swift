import Foundation
import XCTest

// MARK: - GettingStartedTests

/// docs/getting-started.md as a script: every ```sh block, in order, in one
/// bash session in a scratch directory, with the built `switchyard` first on
/// PATH. Background processes are killed on exit; the whole run is bounded.
final class GettingStartedTests: XCTestCase {
    static func shellBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func testEveryCommandOfTheGuideWorks() throws {
        // Required, not optional: scripts/test.sh installs python3 when it is missing.
        let hasPython = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
        guard hasPython else { return XCTFail("the guide's stand-in services need python3: run ./scripts/test.sh, which installs it") }
        let guide = try String(contentsOf: CLIRunner.packageRoot.appendingPathComponent("docs/getting-started.md"), encoding: .utf8)
        let blocks = Self.shellBlocks(guide)
        XCTAssertGreaterThanOrEqual(blocks.count, 6)
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = """
            set -euo pipefail
            trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
            export PATH="\(try CLIRunner.binary().deletingLastPathComponent().path):$PATH"
            \(blocks.joined(separator: "\necho '--- next block'\n"))
            """
        // Output goes to a file, not a pipe: a stray background process
        // holding a pipe open could keep the test waiting.
        let log = directory.appendingPathComponent("guide.log")
        try Data().write(to: log)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = directory
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try output.close()
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("0 errors, 0 warnings in 1 file"), text)
        XCTAssertTrue(text.contains("shop v1"), text)
        XCTAssertTrue(text.contains("shop v2"), "the canary takes traffic after the reload:\n\(text)")
        XCTAssertTrue(text.contains("error[RL0229]") && text.contains("lint: rejected"), text)
        XCTAssertTrue(text.contains("\"result\" : \"rejected\""), text)
        XCTAssertTrue(text.contains("\"generation\" : 2") && !text.contains("\"generation\" : 3"), "one edit, one reload:\n\(text)")
        XCTAssertFalse(text.contains("gave up waiting"), text)
    }
}
