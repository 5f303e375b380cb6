import Foundation
import NIOPosix
import Proxy
import XCTest

// MARK: - StreamingTests

/// Large bodies stream through in bounded memory both ways, and upgraded
/// connections are tunnelled.
final class StreamingTests: XCTestCase {
    var fixture: ProxyFixture!
    var upgrade: UpgradeBackend!

    override func setUp() async throws {
        fixture = ProxyFixture()
        upgrade = try await UpgradeBackend(group: MultiThreadedEventLoopGroup.singleton)
        try await fixture.start(extraRules: """
            route ws {
              when path "/ws"
              to /$/inet/127.0.0.1/\(upgrade.port)
            }
            """)
    }

    override func tearDown() async throws {
        await upgrade?.close()
        await fixture.stop()
    }

    static let gibibyte = 1 << 30

    /// Resident memory of this process, in bytes.
    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }

    /// Runs `body` while sampling resident memory; returns the peak growth.
    func peakGrowth(_ body: () throws -> Void) rethrows -> Int {
        let before = Self.residentBytes()
        let peak = LockedCounter()
        let done = LockedFlag()
        let sampler = Thread {
            while !done.isSet {
                let growth = Self.residentBytes() - before
                while peak.value < growth { peak.increment() }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        sampler.start()
        try body()
        done.set()
        while !sampler.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        return peak.value
    }

    func testOneGibibyteDownloadInBoundedMemory() throws {
        var reply: (status: Int, headers: [String: String], body: String, version: String)?
        let growth = try peakGrowth {
            reply = try fixture.curl("/stream?bytes=\(Self.gibibyte)", ["-o", "/dev/null", "--max-time", "120"])
        }
        XCTAssertEqual(reply?.status, 200)
        XCTAssertLessThan(growth, 128 << 20, "1 GiB passed through with at most 128 MiB of growth (was \(growth >> 20) MiB)")
    }

    func testOneGibibyteUploadInBoundedMemory() throws {
        let file = fixture.directory.appendingPathComponent("upload.bin")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: UInt64(Self.gibibyte))
        try handle.close()
        var reply: (status: Int, headers: [String: String], body: String, version: String)?
        let growth = try peakGrowth {
            reply = try fixture.curl("/sink", ["-T", file.path, "--max-time", "120"])
        }
        XCTAssertEqual(reply?.status, 200)
        XCTAssertEqual(reply?.body, "\(Self.gibibyte)", "the backend received every byte")
        XCTAssertLessThan(growth, 128 << 20, "1 GiB passed through with at most 128 MiB of growth (was \(growth >> 20) MiB)")
    }

    func testUpgradeIsTunnelled() throws {
        let reply = try RawClient.exchange(port: fixture.port,
            "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\nping-through-the-tunnel", timeout: 2)
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"), reply.text)
        XCTAssertTrue(reply.text.contains("Connection: upgrade\r\n"), reply.text)
        XCTAssertTrue(reply.text.hasSuffix("\r\n\r\nping-through-the-tunnel"), reply.text)
    }
}
