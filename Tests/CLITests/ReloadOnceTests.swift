import Foundation
import XCTest

// MARK: - ReloadOnceTests

/// One change, one reload: `switchyard run` with its file watcher on, an
/// edit followed by SIGHUP (as docs/getting-started.md says to do) reloads
/// once; a rejected edit is counted and logged once; a SIGHUP with nothing
/// changed changes nothing. The log has one line per event, message first.
final class ReloadOnceTests: XCTestCase {
    func testAnEditAndASIGHUPReloadOnce() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("once.routes")
        let port = try RawClientLite.freePort()
        let admin = try RawClientLite.freePort()
        func text(_ target: String) -> String {
            "listen 127.0.0.1:\(port)\nadmin 127.0.0.1:\(admin)\nidentify host\ndtab { /svc => \(target); }\n"
        }
        try text("/$/nil").write(to: rules, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("run.log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = try CLIRunner.binary()
        process.arguments = ["run", rules.path, "--threads", "1", "--log-level", "info"]
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func fetch(_ path: String) -> String {
            (try? CLIRunner.curl("http://127.0.0.1:\(admin)\(path)")) ?? ""
        }
        /// Waits (bounded) until `path` contains `wanted`.
        func wait(_ path: String, for wanted: String) -> Bool {
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if fetch(path).contains(wanted) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        XCTAssertTrue(wait("/ready", for: "ready"), (try? String(contentsOf: log, encoding: .utf8)) ?? "")

        // An edit, then SIGHUP: the watcher and the signal see the same content.
        try text("/$/inet/127.0.0.1/\(admin)").write(to: rules, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        XCTAssertTrue(wait("/config", for: "\"generation\" : 2"))
        Thread.sleep(forTimeInterval: 1.5)  // past the next poll
        XCTAssertTrue(fetch("/config").contains("\"generation\" : 2"))
        XCTAssertTrue(fetch("/metrics").contains("switchyard_reloads_total{result=\"applied\"} 1"))

        // A rejected edit, then SIGHUP: rejected once.
        try "bogus\n".write(to: rules, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        XCTAssertTrue(wait("/metrics", for: "switchyard_reloads_total{result=\"rejected\"} 1"))
        Thread.sleep(forTimeInterval: 1.5)
        kill(process.processIdentifier, SIGHUP)  // nothing changed
        Thread.sleep(forTimeInterval: 0.5)
        let metrics = fetch("/metrics")
        XCTAssertTrue(metrics.contains("switchyard_reloads_total{result=\"rejected\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("switchyard_reloads_total{result=\"applied\"} 1"), metrics)
        XCTAssertTrue(fetch("/config").contains("\"generation\" : 2"))

        process.terminate()
        process.waitUntilExit()
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("configuration reloaded") }.count, 1, lines.joined(separator: "\n"))
        let rejected = lines.filter { $0.contains("configuration rejected") }
        XCTAssertEqual(rejected.count, 1, lines.joined(separator: "\n"))
        // One line, message first: `TIME error configuration rejected; … errors=1 first="…" trigger=…`.
        let line = try XCTUnwrap(rejected.first)
        XCTAssertTrue(line.split(separator: " ").dropFirst().first == "error", String(line))
        XCTAssertTrue(line.contains(" error configuration rejected; the previous one keeps serving "), String(line))
        XCTAssertTrue(line.contains("errors=1"), String(line))
        XCTAssertTrue(line.contains("unknown statement `bogus`"), String(line))
    }
}
