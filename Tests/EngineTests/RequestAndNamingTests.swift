import Engine
import Foundation
import RouteLang
import XCTest

// MARK: - RequestAndNamingTests

final class RequestAndNamingTests: XCTestCase {
    func testHostNormalisationAsBytes() {
        func host(_ raw: String) -> String? { RequestFacts(method: "GET", target: "/", authority: raw).host }
        XCTAssertEqual(host("Example.COM:8080"), "example.com")
        XCTAssertEqual(host("api.internal"), "api.internal")
        XCTAssertEqual(host("[::1]:80"), "::1")
        XCTAssertEqual(host("[FE80::1]"), "fe80::1")
        XCTAssertEqual(host("user:pw@Host.example.:443"), "host.example")
        XCTAssertEqual(host("ÄPI.Example"), "äpi.example", "non-ASCII hosts lower-case as Unicode")
        XCTAssertNil(host(":80"))
        XCTAssertNil(host("."))
        XCTAssertNil(host("user@"))
    }

    func testRequestTargetsAndHosts() {
        let absolute = RequestFacts(method: "GET", target: "http://API.Example.com:8080/a/b?x=1&y", headers: [.init("Host", "ignored")])
        XCTAssertEqual(absolute.host, "api.example.com")
        XCTAssertEqual(absolute.path, "/a/b")
        XCTAssertEqual(absolute.queryValue("x"), "1")
        XCTAssertEqual(absolute.queryValue("y"), "")
        XCTAssertNil(absolute.queryValue("z"))
        let origin = RequestFacts(method: "GET", target: "/p", headers: [.init("Host", "[::1]:4140")])
        XCTAssertEqual(origin.host, "::1")
        XCTAssertEqual(RequestFacts(method: "GET", target: "http://user@h.example.com./").host, "h.example.com")
        XCTAssertNil(RequestFacts(method: "GET", target: "/").host)
        XCTAssertEqual(RequestFacts(method: "GET", target: "http://h").path, "/")
    }

    func testTemplates() throws {
        let request = RequestFacts(method: "POST", target: "http://a.example.com/v1//users/7", headers: [.init("X-Svc", "pay")])
        func name(_ template: String) throws -> String {
            let parsed = try XCTUnwrap(try? DtabParserTemplate.parse(template))
            return try NameBuilder.name(for: parsed, request: request).get().show
        }
        XCTAssertEqual(try name("/svc/{host}"), "/svc/a.example.com")
        XCTAssertEqual(try name("/svc/{method}/{host}"), "/svc/POST/a.example.com")
        XCTAssertEqual(try name("/svc/{path:2}"), "/svc/v1/users")
        XCTAssertEqual(try name("/svc/{header:x-svc}-v2"), "/svc/pay-v2")
        let missing = try XCTUnwrap(try? DtabParserTemplate.parse("/svc/{path:4}"))
        XCTAssertEqual(NameBuilder.name(for: missing, request: request).failure?.description, "the path has fewer than 4 segments")
    }

    func testFilesNamerReadsADirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("disco-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "# users\n127.0.0.1 9001\n127.0.0.1 9002 3\nbad line here now\n127.0.0.1 http\n".write(
            to: directory.appendingPathComponent("users"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("empty"), atomically: true, encoding: .utf8)
        let namer = FilesNamer.load(name: "disco", directory: directory.path)
        XCTAssertEqual(namer.services["users"]?.endpoints, [Endpoint(host: "127.0.0.1", port: 9001), Endpoint(host: "127.0.0.1", port: 9002, weight: 3)])
        XCTAssertEqual(namer.services["users"]?.problems, ["line 4: expected `HOST PORT [WEIGHT]` or `HOST PORT * WEIGHT`", "line 5: invalid port `http`"])
        guard case .leaf(.bound(let bound)) = try namer.lookup(Path("users", "x")) else { return XCTFail("expected a bound leaf") }
        XCTAssertEqual(bound.id.show, "/#/disco/users")
        XCTAssertEqual(bound.residual.show, "/x")
        XCTAssertEqual(try namer.lookup(Path("missing")), .neg)
        guard case .leaf(.bound(let empty)) = try namer.lookup(Path("empty")) else { return XCTFail("expected a bound leaf") }
        XCTAssertEqual(empty.endpoints, [])

        let before = FilesNamer.fingerprint(directory: directory.path)
        try "127.0.0.1 9003\n".write(to: directory.appendingPathComponent("users2"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(FilesNamer.fingerprint(directory: directory.path), before)
        let missing = FilesNamer.load(name: "x", directory: "/does/not/exist")
        XCTAssertNotNil(missing.problem)
        XCTAssertThrowsError(try missing.lookup(Path("users")), "an unreadable directory fails the binding, it is not neg")
    }

    func testExplanationTextAndJSON() throws {
        let snapshot = try Support.snapshot("""
            namer n = files "d"
            listen 127.0.0.1:1
            dtab { /svc => /#/n; /svc/x => /#/n/zz | /#/n/a; }
            route special { when header "x-special"
              to /svc/x }
            route x { to /svc/x }
            """)
        let explanation = Explanation.explain(snapshot, request: RequestFacts(method: "GET", target: "/"))
        XCTAssertEqual(explanation.route, "x")
        XCTAssertEqual(explanation.rejected.map(\.route), ["special"])
        XCTAssertTrue(explanation.text.contains("tried `special` first: header \"x-special\" does not hold"), explanation.text)
        XCTAssertTrue(explanation.text.contains("dentry /svc/x=>/#/n/zz | /#/n/a  [bound]"), explanation.text)
        XCTAssertTrue(explanation.text.contains("dentry /svc=>/#/n  [not reached]"), explanation.text)
        let json = explanation.json
        XCTAssertEqual(json["route"] as? String, "x")
        XCTAssertEqual(json["result"] as? String, "bound")
        XCTAssertEqual((json["destinations"] as? [[String: Any]])?.first?["id"] as? String, "/#/n/a")
        XCTAssertNoThrow(try JSONSerialization.data(withJSONObject: json))
    }
}

/// Parses a `to` template through the RouteLang parser.
enum DtabParserTemplate {
    static func parse(_ text: String) throws -> PathTemplate {
        let result = RuleFrontEnd.lint(SourceFile(name: "t.routes", text: "route r { to \(text) }"))
        guard let config = result.config else { throw CocoaError(.coderInvalidValue) }
        return config.routes[0].target
    }
}

// MARK: - Discovery trust

/// What a namer answers when its source misbehaves: the last good set,
/// marked stale, and a report that names the file and line.
final class DiscoveryTrustTests: XCTestCase {
    func testABadFileOrAnUnreadableDirectoryKeepsTheLastGoodSet() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("users")
        try "10.0.0.1 80\n10.0.0.2 80\n".write(to: file, atomically: true, encoding: .utf8)
        let first = FilesNamer.load(name: "disco", directory: directory.path)
        XCTAssertEqual(first.report.state, .ok)
        XCTAssertEqual(first.report.endpointCount, 2)

        try "10.0.0.1 80\n10.0.0.2 eighty\n".write(to: file, atomically: true, encoding: .utf8)
        let corrupt = FilesNamer.load(name: "disco", directory: directory.path, previous: first)
        XCTAssertEqual(corrupt.services["users"]?.endpoints.count, 2, "a half-written file does not shrink the set")
        XCTAssertEqual(corrupt.report.problems, ["\(file.path) line 2: invalid port `eighty`"])

        try FileManager.default.removeItem(at: directory)
        let gone = FilesNamer.load(name: "disco", directory: directory.path, previous: corrupt)
        XCTAssertEqual(gone.report.state, .stale)
        guard case .leaf(.bound(let bound)) = try gone.lookup(Path("users")) else { return XCTFail("the last good set is served") }
        XCTAssertEqual(bound.endpoints.count, 2)

        let never = FilesNamer.load(name: "disco", directory: directory.path)
        XCTAssertEqual(never.report.state, .failed)
        XCTAssertThrowsError(try never.lookup(Path("users")))
    }

    func testAStaticNamerBindsItsAddresses() throws {
        let namer = try XCTUnwrap(StaticNamer(name: "fixed", addresses: "10.0.0.1:8080, 10.0.0.2:8080*2"))
        guard case .leaf(.bound(let bound)) = try namer.lookup(Path("v1")) else { return XCTFail() }
        XCTAssertEqual(bound.id, Path("#", "fixed"))
        XCTAssertEqual(bound.residual, Path("v1"))
        XCTAssertEqual(bound.endpoints, [Endpoint(host: "10.0.0.1", port: 8080), Endpoint(host: "10.0.0.2", port: 8080, weight: 2)])
        XCTAssertNil(StaticNamer(name: "bad", addresses: "10.0.0.1"))
    }

    func testEndpointFilesTakeBothWeightSpellings() {
        let parsed = EndpointFile.parse("# users\n10.0.0.1 80\n10.0.0.2 80 2\n10.0.0.3 80 * 0.5\n10.0.0.4 80 *\n")
        XCTAssertEqual(parsed.endpoints, [Endpoint(host: "10.0.0.1", port: 80), Endpoint(host: "10.0.0.2", port: 80, weight: 2),
                                          Endpoint(host: "10.0.0.3", port: 80, weight: 0.5)])
        XCTAssertEqual(parsed.problems, ["line 5: invalid weight `*`"])
    }
}
