import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - RuleFileRuntime

/// A whole proxy runtime on a rule file in a scratch directory, with a
/// `files` namer (`disco`) there and real backends on 127.0.0.1: what the
/// tests of fleet changes and operator controls share.
final class RuleFileRuntime {
    let directory: URL
    let rules: URL
    private(set) var backends: [TestBackend] = []
    private(set) var runtime: ProxyRuntime!

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-rfr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        rules = directory.appendingPathComponent("rules.routes")
    }

    func stop() async {
        await runtime?.stop(grace: .seconds(1))
        for backend in backends { await backend.close() }
        try? FileManager.default.removeItem(at: directory)
    }

    func backend(_ name: String, delay: Int64 = 0, port: Int = 0) async throws -> TestBackend {
        let made = try await TestBackend(name: name, group: MultiThreadedEventLoopGroup.singleton, delay: delay, port: port)
        backends.append(made)
        return made
    }

    /// A port nothing listens on (a backend that was there and left).
    func closedPort() async throws -> Int {
        let gone = try await TestBackend(name: "gone", group: MultiThreadedEventLoopGroup.singleton)
        let port = gone.port
        await gone.close()
        return port
    }

    /// Writes the service file `name`: one endpoint per port.
    func service(_ name: String, _ ports: [Int]) throws {
        try ports.map { "127.0.0.1 \($0)\n" }.joined().write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Starts the proxy on `body` after a listener, the admin API, the
    /// namer, `identify host` and `/svc => /#/disco`.
    func start(_ body: String) async throws {
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            namer disco = files "\(directory.path)"
            identify host
            dtab { /svc => /#/disco; }
            \(body)
            """.write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        runtime = try ProxyRuntime(path: rules.path, threads: 2, logger: logger)
        try await runtime.start()
    }

    var port: Int { runtime.listenerAddresses.withLockedValue { $0[0].port! } }

    /// One request; the raw reply.
    func get(_ host: String, _ path: String = "/", headers: [String: String] = [:]) throws -> RawClient.Reply {
        let fields = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        return try RawClient.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(fields)Connection: close\r\n\r\n", timeout: 5)
    }

    /// `count` sequential requests to `host`; how many each backend answered, and the failures.
    func send(_ count: Int, host: String, path: String = "/", headers: [String: String] = [:]) throws -> (answers: [String: Int], failures: Int) {
        var answers: [String: Int] = [:]
        var failures = 0
        for _ in 0..<count {
            let reply = try get(host, path, headers: headers)
            guard reply.text.hasPrefix("HTTP/1.1 200 "), let range = reply.text.range(of: "x-backend: ") else {
                failures += 1
                continue
            }
            answers[String(reply.text[range.upperBound...].prefix { !$0.isNewline }), default: 0] += 1
        }
        return (answers, failures)
    }

    /// The body of an admin API answer.
    func admin(_ path: String) throws -> String {
        let reply = try RawClient.exchange(port: runtime.adminAddress!.port!, "GET \(path) HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n")
        return String(reply.text.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
    }
}
