import Engine
import Foundation
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
            throw XCTSkip("dnsmasq is not installed (scripts/test.sh installs it)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-dns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "10.1.0.1 users.example.internal\n10.1.0.2 users.example.internal\n"
            .write(to: directory.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
        try """
            srv-host=_http._tcp.api.example.internal,api1.example.internal,8080,0,5
            srv-host=_http._tcp.api.example.internal,api2.example.internal,8081,0,10
            host-record=api1.example.internal,10.2.0.1
            host-record=api2.example.internal,10.2.0.2

            """.write(to: directory.appendingPathComponent("records.conf"), atomically: true, encoding: .utf8)
        port = 20_000 + Int.random(in: 0..<20_000)
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
}
