import Foundation
import XCTest

// MARK: - OperatorCommandTests

/// What operators reach for beside `run`, as processes: `run --check`,
/// `--listen` / `--admin` on `run` and on two demos at once, `test
/// --format`, and a failing backend's log lines kept within their rate.
final class OperatorCommandTests: XCTestCase {
    var directory: URL!

    override func setUp() async throws {
        directory = try CLIRunner.temporaryDirectory()
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ text: String, _ name: String = "rules.routes") throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    // MARK: run --check

    func testRunCheckLintsWithDiscoveryAndBindsWithoutServing() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("disco"), withIntermediateDirectories: true)
        try "127.0.0.1 9\n".write(to: directory.appendingPathComponent("disco/web"), atomically: true, encoding: .utf8)
        let good = try write("listen 127.0.0.1:0\nadmin 127.0.0.1:0\nnamer disco = files \"disco\"\nidentify host\ndtab { /svc => /#/disco; }\n")
        let ok = try CLIRunner.run(["run", "--check", good])
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr)
        XCTAssertTrue(ok.stdout.contains("ok: can bind listener 127.0.0.1:"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("ready to run"), ok.stdout)

        // Discovery is read: a namer directory that is not there is an error.
        let missing = try write("listen 127.0.0.1:0\nadmin 127.0.0.1:0\nnamer disco = files \"nowhere\"\nidentify host\ndtab { /svc => /#/disco; }\n",
                                "missing.routes")
        let refused = try CLIRunner.run(["run", "--check", missing])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stdout.contains("error[RL0228]"), refused.stdout)

        // An address another process holds fails the check, and --listen moves it.
        let holder = try Holder()
        let busy = try write("listen 127.0.0.1:\(holder.port)\nadmin 127.0.0.1:0\nidentify host\ndtab { /svc => /$/nil; }\n", "busy.routes")
        let taken = try CLIRunner.run(["run", "--check", busy])
        XCTAssertEqual(taken.status, 1)
        XCTAssertTrue(taken.stderr.contains("cannot listen on 127.0.0.1:\(holder.port) (listener): address already in use"), taken.stderr)
        XCTAssertEqual(try CLIRunner.run(["run", "--check", busy, "--listen", "127.0.0.1:0"]).status, 0)
        let tooMany = try CLIRunner.run(["run", "--check", busy, "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"])
        XCTAssertEqual(tooMany.status, 1)
        XCTAssertTrue(tooMany.stderr.contains("2 --listen addresses for 1 listener"), tooMany.stderr)
    }

    // MARK: --listen and --admin

    func testRunServesOnTheOverriddenAddresses() throws {
        let port = try RawClientLite.freePort()
        let admin = try RawClientLite.freePort()
        let rules = try write("listen 127.0.0.1:1\nadmin 127.0.0.1:2\nidentify host\ndtab { /svc => /$/inet/127.0.0.1/\(admin); }\n")
        let process = Process()
        process.executableURL = try CLIRunner.binary()
        process.arguments = ["run", rules, "--threads", "1", "--log-level", "error", "--listen", "127.0.0.1:\(port)",
                             "--admin", "127.0.0.1:\(admin)"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let ready = RawClientLite.waitUntilReady(admin: admin)
        XCTAssertTrue(ready, "the admin API on --admin")
        XCTAssertEqual(try RawClientLite.status(port: port, "GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 200,
                       "the listener on --listen routes to the admin API")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    /// Two demos at once: the second's proxy on any free ports, its
    /// backends moved off the ports the first one holds.
    func testTwoDemosRunSideBySide() throws {
        let first = Process()
        first.executableURL = try CLIRunner.binary()
        first.arguments = ["demo", "--requests", "300", "--concurrency", "2", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"]
        first.currentDirectoryURL = CLIRunner.packageRoot
        let firstOut = directory.appendingPathComponent("first.out")
        try Data().write(to: firstOut)
        first.standardOutput = try FileHandle(forWritingTo: firstOut)
        first.standardError = first.standardOutput
        try first.run()
        defer { if first.isRunning { first.terminate() } }
        // Wait until the first demo holds its backends' ports.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !((try? String(contentsOf: firstOut, encoding: .utf8)) ?? "").contains("switchyard demo:") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let second = try CLIRunner.run(["demo", "--requests", "100", "--concurrency", "2", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        first.waitUntilExit()
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertTrue(second.stdout.contains("Phase 2: 100 requests"), second.stdout)
        XCTAssertEqual(first.terminationStatus, 0, (try? String(contentsOf: firstOut, encoding: .utf8)) ?? "")
    }

    // MARK: test --format

    func testRuleTestsSpeakJSONAndGitHub() throws {
        let cases = try write("""
            cases:
              - name: right
                request: GET http://api.example.com/users/1
                expect: {route: users-api}
              - name: wrong
                request: GET http://api.example.com/users/1
                expect: {route: staging-slice}
            """, "cases.yaml")
        let json = try CLIRunner.run(["test", "examples/quickstart.routes", cases, "--format", "json"])
        XCTAssertEqual(json.status, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(object["passed"] as? Int, 1)
        XCTAssertEqual(object["failed"] as? Int, 1)
        let results = try XCTUnwrap(object["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["passed"] as? Bool }, [true, false])
        XCTAssertEqual(results[1]["problems"] as? [String], ["route: expected staging-slice, got users-api"])
        let github = try CLIRunner.run(["test", "examples/quickstart.routes", cases, "--format", "github"])
        XCTAssertEqual(github.status, 1)
        XCTAssertTrue(github.stdout.contains("::error file=\(cases),line=5,title=wrong::route: expected staging-slice, got users-api"),
                      github.stdout)
        XCTAssertTrue(github.stdout.hasSuffix("1 passed, 1 failed\n"), github.stdout)
    }

    // MARK: Logs

    /// A backend that refuses every connection: each request fails, and
    /// the log keeps at most ten `request failed` lines a second at info.
    func testFailedRequestsAreLoggedWithinARate() throws {
        let port = try RawClientLite.freePort()
        let admin = try RawClientLite.freePort()
        let rules = try write("listen 127.0.0.1:\(port)\nadmin 127.0.0.1:\(admin)\nidentify host\n"
                              + "dtab { /svc => /$/inet/127.0.0.1/1; }\ndefaults {\n  retry none\n  accrual none\n}\n")
        let log = directory.appendingPathComponent("run.log")
        try Data().write(to: log)
        let process = Process()
        process.executableURL = try CLIRunner.binary()
        process.arguments = ["run", rules, "--threads", "1", "--log-level", "info"]
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        XCTAssertTrue(RawClientLite.waitUntilReady(admin: admin))
        let started = Date()
        for _ in 0..<40 {
            XCTAssertEqual(try RawClientLite.status(port: port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 502)
        }
        let seconds = Date().timeIntervalSince(started)
        process.terminate()
        process.waitUntilExit()
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains(" request failed ") }
        XCTAssertGreaterThanOrEqual(lines.count, 1)
        XCTAssertLessThanOrEqual(lines.count, 10 * (Int(seconds) + 2), "at most ten a second: \(lines.count) in \(seconds) s")
        if seconds < 1 { XCTAssertEqual(lines.count, 10, lines.joined(separator: "\n")) }
        XCTAssertTrue(lines.first?.contains(" info request failed ") ?? false, lines.first.map(String.init) ?? "")
        XCTAssertTrue(lines.first?.contains("status=502") ?? false, lines.first.map(String.init) ?? "")
    }
}

// MARK: - Holder

/// A listening socket on 127.0.0.1 another process holds (Python), so an
/// address is busy for the test's length.
final class Holder {
    let process = Process()
    let port: Int

    init() throws {
        port = try RawClientLite.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',\(port)))\ns.listen()\ntime.sleep(30)"]
        try process.run()
        for _ in 0..<50 {
            if (try? RawClientLite.status(port: port, "")) != nil || Self.listening(port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    static func listening(_ port: Int) -> Bool {
        (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8))?.contains(String(format: ":%04X 00000000:0000 0A", port)) ?? false
    }

    deinit {
        process.terminate()
    }
}
