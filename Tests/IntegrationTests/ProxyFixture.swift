import Engine
import Foundation
import Logging
import NIOCore
import NIOPosix
import Proxy
import RouteLang
import XCTest

// MARK: - ProxyFixture

/// A running proxy with real backends on 127.0.0.1, built from RouteLang.
/// `a` and `b` are live backends; `down` points at a closed port; `empty`
/// has no endpoints.
final class ProxyFixture {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    var backendA: TestBackend!
    var backendB: TestBackend!
    var server: ProxyServer!
    var ports: [Int] = []
    var ips: [String] = []
    var directory: URL!

    /// The port of the listener that allows `l5d-dtab` overrides.
    var port: Int { ports[0] }
    /// The port of the listener that does not.
    var strictPort: Int { ports[1] }

    /// - Parameters:
    ///   - services: more endpoint files, service name to a port on 127.0.0.1;
    ///   - files: more endpoint files as written (`HOST PORT` lines).
    func start(extraRules: String = "", options: ProxyOptions = ProxyOptions(), services: [String: Int] = [:],
               files: [String: String] = [:]) async throws {
        backendA = try await TestBackend(name: "a", group: group)
        backendB = try await TestBackend(name: "b", group: group)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "127.0.0.1 \(backendA.port)\n".write(to: directory.appendingPathComponent("a"), atomically: true, encoding: .utf8)
        try "127.0.0.1 \(backendB.port)\n".write(to: directory.appendingPathComponent("b"), atomically: true, encoding: .utf8)
        try "127.0.0.1 1\n".write(to: directory.appendingPathComponent("down"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("empty"), atomically: true, encoding: .utf8)
        for (service, port) in services {
            try "127.0.0.1 \(port)\n".write(to: directory.appendingPathComponent(service), atomically: true, encoding: .utf8)
        }
        for (service, text) in files {
            try text.write(to: directory.appendingPathComponent(service), atomically: true, encoding: .utf8)
        }
        let rules = """
            listen 127.0.0.1:0 allow-dtab-override
            listen 127.0.0.2:0
            namer disco = files "\(directory.path)"
            identify host
            dtab {
              /svc => /#/disco;
              /svc/split => /#/disco/a & /#/disco/b;
            }
            route slow {
              when path prefix "/slow"
              to /svc/a
              timeout 300ms
            }
            \(extraRules)
            """
        let result = RuleFrontEnd.lint(SourceFile(name: "it.routes", text: rules))
        let config = try XCTUnwrap(result.config, "\(result.diagnostics.items.map(\.message))")
        let snapshot = RoutingSnapshot(config: config, namers: NamerKinds.table(for: config))
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .error
        server = try ProxyServer(snapshot: snapshot, group: group, options: options, logger: logger)
        let bound = try await server.start(listeners: config.listeners)
        ports = bound.map { $0.port! }
        ips = bound.map { $0.ipAddress! }
    }

    func stop() async {
        await server?.shutdown()
        await backendA?.close()
        await backendB?.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
        try? await group.shutdownGracefully()
    }

    /// Runs curl; returns status, headers (lower-cased names), body and the
    /// protocol of the status line (`HTTP/1.1`, `HTTP/2`); `stdin` is what curl reads.
    func curl(_ path: String, host: String = "a", strict: Bool = false, _ extra: [String] = [],
              stdin: String? = nil) throws -> (status: Int, headers: [String: String], body: String, version: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-sS", "--max-time", "10", "-D", "-", "-H", "Host: \(host)"] + extra
            + ["http://\(strict ? ips[1] : ips[0]):\(strict ? strictPort : port)\(path)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = Substring(String(decoding: data, as: UTF8.self))
        // Skip interim responses (100 Continue): each is a head of its own.
        while text.hasPrefix("HTTP/1.1 1"), !text.hasPrefix("HTTP/1.1 101"), let end = text.range(of: "\r\n\r\n") {
            text = text[end.upperBound...]
        }
        guard let split = text.range(of: "\r\n\r\n") else { return (0, [:], String(text), "") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        let status = Int(statusLine.dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, String(text[split.upperBound...]), statusLine.first.map(String.init) ?? "")
    }
}
