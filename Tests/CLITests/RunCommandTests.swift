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
        // Ports the kernel picks: a random guess can land on one a test's client connection holds.
        let port = try RawClientLite.freePort()
        let admin = try RawClientLite.freePort()
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

        // explain --admin: the running proxy's rules, not a file read here.
        let live = try CLIRunner.run(["explain", "--admin", "127.0.0.1:\(admin)", "GET", "http://web/"])
        XCTAssertEqual(live.status, 0, live.stderr)
        XCTAssertTrue(live.stdout.contains("/$/inet/127.0.0.1/\(admin)"), live.stdout)
        let json = try CLIRunner.run(["explain", "--admin", "127.0.0.1:\(admin)", "GET", "http://web/", "--json"])
        XCTAssertTrue(json.stdout.hasPrefix("{"), json.stdout)

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(process.terminationReason, .exit)
    }

    /// An edited endpoint file reaches routing at once (inotify), not at the
    /// next poll: twenty edits flip a service between a closed port (502)
    /// and the proxy's own admin listener (200); each is routed within 1 s,
    /// and the median is printed.
    func testAnEndpointFileEditReachesRoutingAtOnce() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let disco = directory.appendingPathComponent("disco")
        try FileManager.default.createDirectory(at: disco, withIntermediateDirectories: true)
        let service = disco.appendingPathComponent("x")
        try "127.0.0.1 1\n".write(to: service, atomically: true, encoding: .utf8)
        let port = try RawClientLite.freePort()
        let admin = try RawClientLite.freePort()
        let rules = directory.appendingPathComponent("watch.routes")
        try "listen 127.0.0.1:\(port)\nadmin 127.0.0.1:\(admin)\nnamer disco = files \"disco\"\nidentify host\ndtab { /svc => /#/disco; }\n"
            .write(to: rules, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try CLIRunner.binary()
        process.arguments = ["run", rules.path, "--threads", "1", "--log-level", "error"]
        // A file, not a pipe nobody reads: the proxy can never block on its log.
        let log = directory.appendingPathComponent("run.log")
        try Data().write(to: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func status() -> Int {
            (try? RawClientLite.status(port: port, "GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ?? 0
        }
        let ready = RawClientLite.waitUntilReady(admin: admin)
        XCTAssertTrue(ready, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        XCTAssertEqual(status(), 502)
        var delays: [Double] = []
        for edit in 0..<20 {
            let (target, expected) = edit % 2 == 0 ? (admin, 200) : (1, 502)
            let started = Date()
            try "127.0.0.1 \(target)\n".write(to: service, atomically: true, encoding: .utf8)
            while status() != expected, Date().timeIntervalSince(started) < 3 { Thread.sleep(forTimeInterval: 0.002) }
            delays.append(Date().timeIntervalSince(started) * 1000)
        }
        let sorted = delays.sorted()
        print("WATCH endpoint file edit to first routed request: median \(String(format: "%.1f", sorted[sorted.count / 2])) ms, "
              + "max \(String(format: "%.1f", sorted.last!)) ms over 20 edits")
        XCTAssertLessThan(sorted.last!, 1_000, "every edit routed within 1 s")
        process.terminate()
        process.waitUntilExit()
    }

    /// Rules through etcd, from the command line: push refuses a file with
    /// errors before it asks etcd anything; run and push name an etcd they
    /// cannot reach; explain --admin names an admin API it cannot reach.
    func testPushAndRunOnEtcdReportWhatIsWrong() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.routes")
        try "identify host\ndtab { /svc => ; }\n".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try CLIRunner.run(["push", broken.path, "etcd://127.0.0.1:1/switchyard/config/edge"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("not pushed: 1 error in \(broken.path)"), refused.stderr)

        let good = directory.appendingPathComponent("good.routes")
        try "identify host\ndtab { /svc => /$/nil; }\n".write(to: good, atomically: true, encoding: .utf8)
        let unreachable = try CLIRunner.run(["push", good.path, "etcd://127.0.0.1:1/switchyard/config/edge"])
        XCTAssertNotEqual(unreachable.status, 0)
        XCTAssertTrue(unreachable.stderr.contains("cannot reach etcd at http://127.0.0.1:1: refused"), unreachable.stderr)

        let run = try CLIRunner.run(["run", "etcd://127.0.0.1:1/switchyard/config/edge"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("cannot reach etcd at http://127.0.0.1:1: refused"), run.stderr)
        let malformed = try CLIRunner.run(["run", "etcd://127.0.0.1:1"])
        XCTAssertTrue(malformed.stderr.contains("is not an etcd key URL: write etcd://HOST:PORT/KEY"), malformed.stderr)

        let admin = try CLIRunner.run(["explain", "--admin", "127.0.0.1:1", "GET", "http://web/"])
        XCTAssertNotEqual(admin.status, 0)
        XCTAssertTrue(admin.stderr.contains("cannot reach the admin API at 127.0.0.1:1: refused"), admin.stderr)
    }
}

// MARK: - RawClientLite

/// The status of one request over a plain socket (curl would cost a process per poll).
enum RawClientLite {
    /// A port no one listens on now: bound to 0, read, released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls the admin API's `/ready` for up to 10 s; whether it answered 200.
    static func waitUntilReady(admin: Int) -> Bool {
        for _ in 0..<100 {
            if (try? status(port: admin, "GET /ready HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")) == 200 { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    static func status(port: Int, _ request: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 12 else { return 0 }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? 0
    }
}
