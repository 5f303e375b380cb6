import Foundation
import Proxy
import XCTest

// MARK: - EtcdServer

/// A real etcd (etcd-server, installed by scripts/test.sh) on loopback
/// ports with its own data directory, which can be killed and started
/// again on the same data (or on another client port, out of the proxy's
/// sight). Writes go through etcdctl, a real client.
final class EtcdServer: @unchecked Sendable {
    let directory: URL
    let clientPort: Int
    let peerPort: Int
    private var process: Process?

    var url: String { "http://127.0.0.1:\(clientPort)" }

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd") else {
            // Required, not optional: scripts/test.sh installs etcd-server when it is missing.
            throw Missing(description: "etcd is not installed: run ./scripts/test.sh, which installs etcd-server")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clientPort = try freeLoopbackPort()
        peerPort = try freeLoopbackPort()
        try start()
    }

    struct Missing: Error, CustomStringConvertible { var description: String }

    /// Starts etcd on its data directory, serving clients on `port` (default: its own).
    func start(clientPort port: Int? = nil) throws {
        let port = port ?? clientPort
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        process.arguments = ["--name", "test", "--data-dir", directory.appendingPathComponent("data").path,
                             "--listen-client-urls", "http://127.0.0.1:\(port)", "--advertise-client-urls", "http://127.0.0.1:\(port)",
                             "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
                             "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
                             "--initial-cluster", "test=http://127.0.0.1:\(peerPort)", "--logger", "zap", "--log-level", "error"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if (try? etcdctl(["endpoint", "health"], port: port)) != nil { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Missing(description: "etcd did not come up on 127.0.0.1:\(port)")
    }

    func kill() {
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    func remove() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Writes

    func put(_ key: String, _ value: String, port: Int? = nil) throws {
        _ = try etcdctl(["put", key, value], port: port ?? clientPort)
    }

    func delete(_ key: String) throws {
        _ = try etcdctl(["del", key], port: clientPort)
    }

    /// Registers `service` endpoint `id` as 127.0.0.1:`port`.
    func register(_ service: String, _ id: String, port: Int, weight: Double = 1, on clientPort: Int? = nil) throws {
        try put("/services/\(service)/\(id)", #"{"host": "127.0.0.1", "port": \#(port), "weight": \#(weight)}"#, port: clientPort)
    }

    /// The store's revision now.
    func revision(port: Int? = nil) throws -> Int64 {
        let output = try etcdctl(["endpoint", "status", "-w", "json"], port: port ?? clientPort)
        guard let list = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]],
              let header = (list.first?["Status"] as? [String: Any])?["header"] as? [String: Any],
              let revision = (header["revision"] as? NSNumber)?.int64Value else {
            throw Missing(description: "etcdctl endpoint status: \(output)")
        }
        return revision
    }

    func compact(port: Int? = nil) throws {
        _ = try etcdctl(["compact", "\(try revision(port: port))", "--physical"], port: port ?? clientPort)
    }

    @discardableResult
    func etcdctl(_ arguments: [String], port: Int) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        process.arguments = ["--endpoints=http://127.0.0.1:\(port)", "--dial-timeout=1s", "--command-timeout=3s"] + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Missing(description: "etcdctl \(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
