import Engine
import Foundation
import Logging
import NIOPosix
import Proxy
import XCTest

// MARK: - DNSResolverTests

/// The dns namer's resolver against a real dnsmasq on a loopback port
/// (installed by scripts/test.sh; records changed by rewriting its hosts
/// file and sending it SIGHUP).
final class DNSResolverTests: XCTestCase {
    var process: Process?
    var directory: URL!
    var port = 0

    override func setUpWithError() throws {
        guard let dnsmasq = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            // Required, not optional: scripts/test.sh installs dnsmasq when it is missing.
            struct Missing: Error, CustomStringConvertible {
                var description: String { "dnsmasq is not installed: run ./scripts/test.sh, which installs it" }
            }
            throw Missing()
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-dns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "10.1.0.1 users.example.internal\n10.1.0.2 users.example.internal\n127.0.0.1 shop.example.internal\n127.0.0.1 cart.example.internal\n"
            .write(to: directory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        try """
            srv-host=_http._tcp.api.example.internal,api1.example.internal,8080,0,5
            srv-host=_http._tcp.api.example.internal,api2.example.internal,8081,0,10
            host-record=api1.example.internal,10.2.0.1
            host-record=api2.example.internal,10.2.0.2

            """.write(to: directory.appendingPathComponent("records.conf"), atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dnsmasq)
        process.arguments = ["--no-daemon", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                             "--no-hosts", "--addn-hosts=\(directory.path)/hosts", "--conf-file=\(directory.path)/records.conf",
                             "--local-ttl=1", "--pid-file=", "--local=/example.internal/"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Up when it answers.
        for _ in 0..<50 {
            if (try? DNSResolver.resolve("users.example.internal", kind: .address, server: ("127.0.0.1", port)))?.isEmpty == false { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    override func tearDown() {
        process?.terminate()
        process?.waitUntilExit()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testAddressesServicesAndMissingNames() throws {
        let server = ("127.0.0.1", port)
        let users = try DNSResolver.resolve("users.example.internal", kind: .address, server: server)
        XCTAssertEqual(Set(users.map(\.host)), ["10.1.0.1", "10.1.0.2"])
        XCTAssertTrue(users.allSatisfy { $0.ttl <= 1 }, "TTLs are read: \(users)")
        let api = try DNSResolver.resolve("_http._tcp.api.example.internal", kind: .service, server: server)
        XCTAssertEqual(Set(api.map { "\($0.host):\($0.port ?? 0)*\(Int($0.weight))" }), ["10.2.0.1:8080*5", "10.2.0.2:8081*10"])
        XCTAssertEqual(try DNSResolver.resolve("nobody.example.internal", kind: .address, server: server), [],
                       "a name that does not exist is an empty answer, not an error")
    }

    func testARecordChangeIsSeenAfterTheResolverReloads() throws {
        try "10.1.0.9 users.example.internal\n".write(to: directory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        kill(process!.processIdentifier, SIGHUP)
        var hosts: Set<String> = []
        for _ in 0..<40 {
            hosts = Set(try DNSResolver.resolve("users.example.internal", kind: .address, server: ("127.0.0.1", port)).map(\.host))
            if hosts == ["10.1.0.9"] { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(hosts, ["10.1.0.9"])
    }

    func testAnUnreachableResolverIsAnError() {
        XCTAssertThrowsError(try DNSResolver.resolve("users.example.internal", kind: .address, server: ("127.0.0.1", 1)))
    }

    /// The dns namer end to end: a proxy routes by what dnsmasq answers,
    /// follows a record change within its refresh, and asks for a name no
    /// dentry spells out the first time a request needs it.
    func testTheProxyRoutesByDNSAndFollowsChanges() async throws {
        let backend = try await TestBackend(name: "shop", group: MultiThreadedEventLoopGroup.singleton)
        defer { Task { await backend.close() } }
        let rules = directory.appendingPathComponent("dns.routes")
        try """
            listen 127.0.0.1:0
            admin 127.0.0.1:0
            namer d = dns "example.internal" port \(backend.port) resolver 127.0.0.1:\(port) refresh 1s
            identify host
            dtab {
              /svc => /#/d;
              /svc/store => /#/d/shop;
            }
            """.write(to: rules, atomically: true, encoding: .utf8)
        var logger = Logger(label: "switchyard.test")
        logger.logLevel = .critical
        let runtime = try ProxyRuntime(path: rules.path, threads: 1, logger: logger)
        try await runtime.start()
        let proxyPort = runtime.listenerAddresses.withLockedValue { $0[0].port! }
        func get(_ host: String) throws -> String {
            try RawClient.exchange(port: proxyPort, "GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n", timeout: 5).text
        }
        XCTAssertTrue(try get("store").hasPrefix("HTTP/1.1 200"), "the dtab's name is resolved before the first request")

        // A name only the identifier produces: asked the first time, routed after the next poll.
        let first = try get("cart")
        XCTAssertTrue(first.hasPrefix("HTTP/1.1 502") && first.contains("dns: resolving cart.example.internal"), first)
        runtime.config.checkForChanges()
        XCTAssertTrue(try get("cart").hasPrefix("HTTP/1.1 200"))

        // The record moves to 127.0.0.2 (nothing listens there): followed within the refresh.
        try "127.0.0.2 shop.example.internal\n".write(to: directory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        kill(process!.processIdentifier, SIGHUP)
        var moved = ""
        for _ in 0..<30 {
            try await Task.sleep(for: .milliseconds(200))
            runtime.config.checkForChanges()
            moved = try get("store")
            if moved.contains("127.0.0.2") { break }
        }
        XCTAssertTrue(moved.hasPrefix("HTTP/1.1 502") && moved.contains("connect to 127.0.0.2:\(backend.port) refused"), moved)
        XCTAssertTrue(try get("nobody").hasPrefix("HTTP/1.1 502"), "a name that does not exist")
        await runtime.stop(grace: .seconds(1))
    }
}
