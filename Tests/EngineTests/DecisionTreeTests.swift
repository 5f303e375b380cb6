import Engine
import RouteLang
import XCTest

// MARK: - DecisionTreeTests

/// Route precedence (Gateway API order) and the agreement of the compiled
/// tree with a linear scan.
final class DecisionTreeTests: XCTestCase {
    func tree(_ routes: String) throws -> (DecisionTree, [String]) {
        let snapshot = try Support.snapshot("namer n = files \"d\"\nlisten 127.0.0.1:1\ndtab { /svc => /#/n; }\n" + routes)
        return (snapshot.tree, snapshot.config.routes.map(\.name))
    }

    func winner(_ routes: String, _ method: String = "GET", url: String, headers: [String: String] = [:]) throws -> String? {
        let (tree, names) = try tree(routes)
        let request = RequestFacts(method: method, target: url, headers: headers.map { RequestFacts.Header($0.key, $0.value) })
        let index = tree.match(request)
        XCTAssertEqual(index, tree.linearMatch(request), "index and linear scan disagree for \(url)")
        return index.map { names[$0] }
    }

    func testExactHostBeatsWildcardAndWildcardLongerSuffixFirst() throws {
        let routes = """
            route any { to /svc/any }
            route wild { when host "*.example.com"
              to /svc/wild }
            route wildlong { when host "*.api.example.com"
              to /svc/wildlong }
            route exact { when host "a.api.example.com"
              to /svc/exact }
            """
        XCTAssertEqual(try winner(routes, url: "http://a.api.example.com/"), "exact")
        XCTAssertEqual(try winner(routes, url: "http://b.api.example.com/"), "wildlong")
        XCTAssertEqual(try winner(routes, url: "http://b.example.com/"), "wild")
        XCTAssertEqual(try winner(routes, url: "http://example.com/"), "any", "a wildcard needs at least one label")
        XCTAssertEqual(try winner(routes, url: "http://A.API.Example.COM:8080/"), "exact", "hosts compare case-insensitively without port")
    }

    func testExactPathBeatsPrefixAndLongerPrefixFirst() throws {
        let routes = """
            route root { when path prefix "/"
              to /svc/root }
            route users { when path prefix "/users"
              to /svc/users }
            route admins { when path prefix "/users/admins/"
              to /svc/admins }
            route me { when path "/users/me"
              to /svc/me }
            route rx { when path regex "/users/[0-9]+"
              to /svc/rx }
            """
        XCTAssertEqual(try winner(routes, url: "/users/me"), "me")
        XCTAssertEqual(try winner(routes, url: "/users/admins/7"), "admins")
        XCTAssertEqual(try winner(routes, url: "/users/admins"), "admins", "prefixes are segment-aware, trailing slash ignored")
        XCTAssertEqual(try winner(routes, url: "/users/42"), "users", "a prefix outranks a regex")
        XCTAssertEqual(try winner(routes, url: "/usersx"), "root")
        XCTAssertEqual(try winner(routes, url: "/"), "root")
    }

    func testRegexOutranksNoPathAndMatchesWholePath() throws {
        let routes = """
            route plain { when method GET
              to /svc/plain }
            route rx { when path regex "/items/[0-9]+"
              to /svc/rx }
            """
        XCTAssertEqual(try winner(routes, url: "/items/12"), "rx")
        XCTAssertEqual(try winner(routes, url: "/items/12/x"), "plain", "path regex matches the whole path")
    }

    func testMethodThenHeaderCountThenQueryCountThenOrder() throws {
        let routes = """
            route plain { when path prefix "/a"
              to /svc/plain }
            route query { when path prefix "/a" and query "v" == "1"
              to /svc/query }
            route headers { when path prefix "/a" and header "x" and header "y"
              to /svc/headers }
            route oneheader { when path prefix "/a" and header "x"
              to /svc/oneheader }
            route method { when path prefix "/a" and method POST
              to /svc/method }
            """
        XCTAssertEqual(try winner(routes, "POST", url: "/a?v=1", headers: ["x": "1", "y": "1"]), "method")
        XCTAssertEqual(try winner(routes, "GET", url: "/a?v=1", headers: ["x": "1", "y": "1"]), "headers")
        XCTAssertEqual(try winner(routes, "GET", url: "/a?v=1", headers: ["x": "1"]), "oneheader")
        XCTAssertEqual(try winner(routes, "GET", url: "/a?v=1"), "query")
        XCTAssertEqual(try winner(routes, "GET", url: "/a?v=2"), "plain")
    }

    func testTiesGoToTheRouteWrittenFirst() throws {
        let routes = """
            route first { when header "x"
              to /svc/first }
            route second { when header "y"
              to /svc/second }
            """
        XCTAssertEqual(try winner(routes, url: "/", headers: ["x": "1", "y": "1"]), "first")
        XCTAssertEqual(try winner(routes, url: "/", headers: ["y": "1"]), "second")
    }

    func testHostOutranksPath() throws {
        let routes = """
            route path { when path "/exact"
              to /svc/path }
            route host { when host "h.example.com"
              to /svc/host }
            """
        XCTAssertEqual(try winner(routes, url: "http://h.example.com/exact"), "host")
    }

    func testAnyClauseMayMatchAndNegationWorks() throws {
        let routes = """
            route r { when host "a.example.com"
              when header "x-a" and not header "x-b"
              to /svc/r }
            """
        XCTAssertEqual(try winner(routes, url: "http://a.example.com/"), "r")
        XCTAssertEqual(try winner(routes, url: "http://b.example.com/", headers: ["x-a": "1"]), "r")
        XCTAssertNil(try winner(routes, url: "http://b.example.com/", headers: ["x-a": "1", "x-b": "1"]))
    }

    func testHeaderRegexAndQueryAndMethods() throws {
        let routes = """
            route ua { when header "user-agent" ~ "^curl/"
              to /svc/ua }
            route q { when query "debug" == "" and method GET, HEAD
              to /svc/q }
            """
        XCTAssertEqual(try winner(routes, url: "/", headers: ["User-Agent": "curl/8.0"]), "ua")
        XCTAssertNil(try winner(routes, url: "/", headers: ["user-agent": "wget curl/8"]))
        XCTAssertEqual(try winner(routes, "HEAD", url: "/x?debug&y=1"), "q")
        XCTAssertNil(try winner(routes, "POST", url: "/x?debug"))
    }
}
