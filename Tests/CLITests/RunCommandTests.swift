import Foundation
import XCTest

// MARK: - RunCommandTests

/// `switchyard run` as a process: serves, reloads on SIGHUP, refuses a bad
/// file, and exits 0 on SIGTERM.
final class RunCommandTests: XCTestCase {
    func testServeReloadAndTerminate() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("run.routes")
        let port = 20_000 + Int.random(in: 0..<20_000)
        let admin = port + 1
        func text(_ target: String) -> String {
            "listen 127.0.0.1:\(port)\nadmin 127.0.0.1:\(admin)\nidentify host\ndtab { /svc => \(target); }\n"
        }
        try text("/$/nil").write(to: rules, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = try CLIRunner.binary()
        process.arguments = ["run", rules.path, "--threads", "1", "--no-watch", "--log-level", "warning"]
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func get(_ url: String) -> (Int32, String) {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-s", "--max-time", "2", "-o", "-", "-w", "\n%{http_code}", url]
            let out = Pipe()
            curl.standardOutput = out
            try? curl.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            return (Int32(text.split(separator: "\n").last ?? "0") ?? 0, text)
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = get("http://127.0.0.1:\(admin)/ready").0 == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertTrue(ready, "the proxy must come up")
        XCTAssertEqual(get("http://127.0.0.1:\(port)/").0, 502, "/$/nil binds to empty: 502")

        try "bogus\n".write(to: rules, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(get("http://127.0.0.1:\(admin)/config").1.contains("\"result\" : \"rejected\""))
        XCTAssertEqual(get("http://127.0.0.1:\(port)/").0, 502, "still serving the old file")

        try text("/$/inet/127.0.0.1/\(admin)").write(to: rules, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        let reloaded = get("http://127.0.0.1:\(port)/live")
        XCTAssertEqual(reloaded.0, 200, "the new dtab sends /live to the admin listener: \(reloaded.1)")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(process.terminationReason, .exit)
    }
}
