import Foundation
import XCTest

// MARK: - EngineCommandTests

/// `dtab lookup/resolve/eval`, `explain` and `test` as users run them.
final class EngineCommandTests: XCTestCase {
    func testDtabLookupIsOneStep() throws {
        let result = try CLIRunner.run(["dtab", "lookup", "--dtab", "/svc=>/#/disco;/svc/users=>/#/disco/users-v2", "/svc/users/x"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "/#/disco/users-v2/x | /#/disco/users/x\n")
    }

    func testDtabResolveJSON() throws {
        let result = try CLIRunner.run(["dtab", "resolve", "--dtab", "/svc => 0.95 * /#/disco/users-v1 & 0.05 * /#/disco/users-v2",
                                        "--namer", "disco=examples/disco", "/svc", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["result"] as? String, "bound")
        XCTAssertEqual(object["tree"] as? String, "0.95*/#/disco/users-v1 & 0.05*/#/disco/users-v2")
        let endpoints = try XCTUnwrap(object["endpoints"] as? [[String: Any]])
        XCTAssertEqual(endpoints.map { $0["address"] as? String }, ["127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9113"])
        XCTAssertEqual(endpoints.map { $0["id"] as? String }, ["/#/disco/users-v1", "/#/disco/users-v1", "/#/disco/users-v2", "/#/disco/users-v2"])
        XCTAssertEqual(endpoints.last?["weight"] as? Double ?? 0, 0.05, accuracy: 1e-9)
        XCTAssertNil(object["error"])
    }

    func testDtabResolveNegAndLoop() throws {
        let neg = try CLIRunner.run(["dtab", "resolve", "--dtab", "/svc => /#/disco", "--config", "examples/quickstart.routes", "/svc/nope", "--json"])
        let negObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(neg.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(negObject["result"] as? String, "neg")
        XCTAssertEqual(negObject["tree"] as? String, "~")
        let loop = try CLIRunner.run(["dtab", "resolve", "--dtab", "/a=>/b;/b=>/a", "/a"])
        XCTAssertEqual(loop.status, 1)
        XCTAssertTrue(loop.stdout.contains("error   delegation loop: /a -> /b -> /a"), loop.stdout)
    }

    func testDtabEval() throws {
        XCTAssertEqual(try CLIRunner.run(["dtab", "eval", "~ | /b & /a"]).stdout, "{/a, /b}\n")
        XCTAssertEqual(try CLIRunner.run(["dtab", "eval", "! | /a"]).stdout, "none\n")
        XCTAssertEqual(try CLIRunner.run(["dtab", "eval", "$"]).stdout, "{}\n")
    }

    func testExplainText() throws {
        let result = try CLIRunner.run(["explain", "examples/quickstart.routes", "GET", "http://api.example.com/users/42"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("""
            request   GET api.example.com/users/42
            route     users-api
            name      /svc/users

            """), result.stdout)
        XCTAssertTrue(result.stdout.contains("   95% /#/disco/users-v1 -> 127.0.0.1:9101, 127.0.0.1:9102\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  timeout 2s\n  attempt-timeout 500ms\n"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("result    routed\n"), result.stdout)
    }

    func testExplainJSONAndFailures() throws {
        let result = try CLIRunner.run(["explain", "examples/quickstart.routes", "GET", "http://nope.example.com/", "-H", "x-env: prod", "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["status"] as? Int, 502)
        XCTAssertEqual(object["result"] as? String, "neg")
        XCTAssertEqual((object["rejected"] as? [[String: String]])?.first?["route"], "staging-slice")
    }

    func testRuleTestsForEveryExample() throws {
        for example in ["quickstart", "canary", "failover", "slices"] {
            let result = try CLIRunner.run(["test", "examples/\(example).routes", "examples/cases/\(example).cases.yaml"])
            XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
            XCTAssertTrue(result.stdout.hasSuffix(" passed, 0 failed\n"), result.stdout)
        }
    }

    func testFailingRuleTestExitsOne() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = directory.appendingPathComponent("cases.yaml")
        try """
            cases:
              - name: right
                request: GET http://api.example.com/users/1
                expect: {route: users-api}
              - name: wrong
                request: GET http://api.example.com/users/1
                expect: {route: staging-slice, status: 502}
            """.write(to: cases, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["test", "examples/quickstart.routes", cases.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, """
            ok    right
            FAIL  wrong (\(cases.path):5)
                  route: expected staging-slice, got users-api
                  status: expected 502, got 200
            1 passed, 1 failed

            """)
        try "cases:\n  - request: GET /\n    expct: {status: 400}\n".write(to: cases, atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["test", "examples/quickstart.routes", cases.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "\(cases.path):3:5: error: unknown key `expct` in case 1 (did you mean `expect`?)\n")
    }
}

// MARK: - Operator-facing messages

final class OperatorMessageTests: XCTestCase {
    func testVersion() throws {
        let result = try CLIRunner.run(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "0.8.0\n")
    }

    func testDtabResolveTakesTheConfigsOwnDtab() throws {
        let result = try CLIRunner.run(["dtab", "resolve", "--config", "examples/quickstart.routes", "/svc/users/1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("/#/disco/users-v1"), result.stdout)
        let neither = try CLIRunner.run(["dtab", "resolve", "/svc/users"])
        XCTAssertNotEqual(neither.status, 0)
        XCTAssertTrue(neither.stderr.contains("give --dtab, or --config FILE"), neither.stderr)
    }

    func testABindFailureNamesTheAddress() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bind.routes")
        // 192.0.2.1 (TEST-NET-1) is on no interface of this machine.
        try "listen 192.0.2.1:4140\nadmin 127.0.0.1:0\nidentify host\ndtab { /svc => /$/inet/127.0.0.1/1; }\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["run", file.path, "--no-watch"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("cannot listen on 192.0.2.1:4140 (listener): address not available on this machine"),
                      result.stderr)
    }

    func testExplainSaysWhichRoutesLostOnPrecedenceAndWhy() throws {
        let result = try CLIRunner.run(["explain", "examples/quickstart.routes", "GET", "http://api.example.com/users/7", "-H", "x-env: staging"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("""
            route     users-api
                      `staging-slice` matched too, but `users-api` ranks higher: an exact host ranks above no host test
            """), result.stdout)
    }

    func testExplainTakesRequestsAsWrittenNotGuessed() throws {
        let lower = try CLIRunner.run(["explain", "examples/quickstart.routes", "get", "http://users/"])
        XCTAssertNotEqual(lower.status, 0)
        XCTAssertTrue(lower.stderr.contains("did you mean `GET`?"), lower.stderr)
        let schemeless = try CLIRunner.run(["explain", "examples/quickstart.routes", "GET", "users/profile"])
        XCTAssertNotEqual(schemeless.status, 0)
        XCTAssertTrue(schemeless.stderr.contains("`users/profile` has no scheme"), schemeless.stderr)
    }
}
