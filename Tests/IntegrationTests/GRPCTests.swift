import Foundation
import Proxy
import XCTest

// MARK: - GRPCTests

/// gRPC through the proxy with real grpcio clients and servers
/// (Scripts/grpc_peers.py): the client speaks h2c to the proxy, the proxy
/// speaks HTTP/2 to the servers (`protocol h2`).
final class GRPCTests: XCTestCase {
    var fixture: ProxyFixture!
    var servers: Process!
    var ports: [String: Int] = [:]

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/grpc_peers.py").path

    override func setUp() async throws {
        // The first line names the ports the kernel gave the servers.
        (servers, ports) = try ExternalTool.server(["python3", Self.script, "serve"])
        let (ok, unavailable, slow) = (try XCTUnwrap(ports["ok"]), try XCTUnwrap(ports["unavailable"]), try XCTUnwrap(ports["slow"]))
        let midstream = try XCTUnwrap(ports["midstream"])
        fixture = ProxyFixture()
        try await fixture.start(extraRules: """
            route grpc {
              when host "grpc"
              to /svc/grpc
              protocol h2
              retry on unavailable limit 2 methods POST
            }
            route grpcok {
              when host "grpcok"
              to /svc/grpcok
              protocol h2
              timeout 2s
            }
            route slow-grpc {
              when host "slow-grpc"
              to /svc/slow-grpc
              protocol h2
            }
            route slow-grpc-bounded {
              when host "slow-grpc-bounded"
              to /svc/slow-grpc
              protocol h2
              timeout 300ms
            }
            route midstream {
              when host "midstream"
              to /svc/midstream
              protocol h2
              retry on unavailable limit 2 methods POST
              accrual consecutive 3 backoff 60s..120s
              balance round-robin
            }
            """, files: ["grpc": "127.0.0.1 \(ok)\n127.0.0.1 \(unavailable)\n", "grpcok": "127.0.0.1 \(ok)\n",
                         "slow-grpc": "127.0.0.1 \(slow)\n", "midstream": "127.0.0.1 \(ok)\n127.0.0.1 \(midstream)\n"])
    }

    override func tearDown() async throws {
        await fixture.stop()
        ExternalTool.stop(servers)
    }

    func testUnaryAndStreamingCallsPassThrough() throws {
        let result = try call("call", authority: "grpcok")
        XCTAssertEqual(value(result, "unary") as? [String], (0..<10).map { "unary:x\($0) from ok" })
        XCTAssertEqual(value(result, "server_stream") as? [String], (0..<50).map { "item \($0) of s" })
        XCTAssertEqual(value(result, "client_stream") as? String, "got 200 messages, 200000 bytes")
        XCTAssertEqual(value(result, "bidi") as? [String], ["echo:a", "echo:b", "echo:c"])
        XCTAssertEqual(value(result, "ping_pong") as? [String], (0..<20).map { "echo:\($0)" },
                       "each message was sent only after the answer to the one before came back")
    }

    func testUnavailableIsRetriedOnTheOtherServer() throws {
        // The balancer sends some calls to the server that answers UNAVAILABLE;
        // each of them is retried on the other one, so every call succeeds.
        let result = try call("call", authority: "grpc")
        XCTAssertEqual(value(result, "unary") as? [String], (0..<10).map { "unary:x\($0) from ok" }, "\(result)")
        XCTAssertEqual((value(result, "server_stream") as? [String])?.count, 50, "\(result)")
    }

    func testAStatusInTrailersIsClassifiedAndEvictsTheServerButIsNotRetried() throws {
        // One server of two (taking turns) sends 3 messages, then UNAVAILABLE in its trailers.
        // The messages are out, so no retry; the status still counts as a
        // failure, and 3 in a row evict that server.
        let data = try ExternalTool.output(["timeout", "60", "python3", Self.script, "streams", String(fixture.port), "midstream", "20"])
        let calls = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], String(decoding: data, as: UTF8.self))
        let failed = calls.filter { $0["code"] as? String != "OK" }
        XCTAssertEqual(failed.count, 3, "evicted after its third failure: \(calls)")
        for call in failed {
            XCTAssertEqual(call["code"] as? String, "UNAVAILABLE", "the trailers' status reaches the client: \(calls)")
            XCTAssertEqual(call["messages"] as? Int, 3, "the messages before it too")
        }
        XCTAssertEqual(calls.filter { $0["code"] as? String == "OK" }.allSatisfy { $0["messages"] as? Int == 50 }, true)
        let metrics = fixture.server.metrics.exposition()
        XCTAssertTrue(metrics.contains(#"switchyard_evictions_total{dst="/#/disco/midstream"} 1"#), metrics)
        let failures = metrics.split(separator: "\n").first {
            $0.hasPrefix("switchyard_requests_total{") && $0.contains(#"route="midstream""#) && $0.contains(#"classification="failure""#)
                && $0.contains(#"status_class="2xx""#)
        }
        XCTAssertEqual(failures?.split(separator: " ").last, "3", "the metrics count them as failures, with their HTTP 200: \(metrics)")
    }

    func testTheClientsDeadlineEndsTheCall() throws {
        let result = try call("deadline", authority: "slow-grpc", ["0.3", "late"])
        XCTAssertEqual(result["ok"] as? Bool, false)
        XCTAssertEqual(result["code"] as? String, "DEADLINE_EXCEEDED")
        XCTAssertLessThan(result["seconds"] as? Double ?? 10, 1.5, "the call ends at its 300 ms deadline, not the server's 2 s")
    }

    func testTheRoutesDeadlineIsAGRPCStatus() throws {
        // The client allows 10 s; the route's 300 ms deadline ends the call,
        // and the proxy's 504 reaches the client as DEADLINE_EXCEEDED.
        let result = try call("deadline", authority: "slow-grpc-bounded", ["10", "late"])
        XCTAssertEqual(result["code"] as? String, "DEADLINE_EXCEEDED", "\(result)")
        XCTAssertTrue((result["details"] as? String ?? "").contains("deadline of 300ms exceeded"), "\(result)")
        XCTAssertLessThan(result["seconds"] as? Double ?? 10, 1.5)
    }

    func testGRPCTimeoutOnlyShortensTheDeadlineAndGoesOnWithTheTimeLeft() throws {
        // The route allows 2 s: a client allowing 10 s sees its server get at most 2 s.
        let long = try call("deadline", authority: "grpcok", ["10", "remaining"])
        let granted = Double(long["value"] as? String ?? "") ?? -1
        XCTAssertGreaterThan(granted, 1.0, "\(long)")
        XCTAssertLessThanOrEqual(granted, 2.0, "the route's 2 s, not the client's 10 s")
        // A client allowing 1 s: its shorter deadline is the one that goes on.
        let short = try call("deadline", authority: "grpcok", ["1", "remaining"])
        let left = Double(short["value"] as? String ?? "") ?? -1
        XCTAssertGreaterThan(left, 0.5, "\(short)")
        XCTAssertLessThanOrEqual(left, 1.0)
    }

    // MARK: Helpers

    func call(_ mode: String, authority: String, _ extra: [String] = []) throws -> [String: Any] {
        let data = try ExternalTool.output(["timeout", "60", "python3", Self.script, mode, String(fixture.port), authority] + extra)
        let object = try JSONSerialization.jsonObject(with: data)
        return try XCTUnwrap(object as? [String: Any], String(decoding: data, as: UTF8.self))
    }

    /// A call's value, failing with the gRPC error when it had one.
    func value(_ result: [String: Any], _ name: String) -> Any? {
        guard let entry = result[name] as? [String: Any] else {
            XCTFail("no result for \(name)")
            return nil
        }
        guard entry["ok"] as? Bool == true else {
            XCTFail("\(name) failed: \(entry)")
            return nil
        }
        return entry["value"]
    }
}
