@testable import Engine
import RouteLang
import XCTest

// MARK: - RouterTests

final class RouterTests: XCTestCase {
    let rules = """
        listen 127.0.0.1:1 allow-dtab-override
        namer n = files "d"
        identify host
        dtab { /svc => /#/n; /svc/users => 3 * /#/n/a & /#/n/b; }
        route users { when path prefix "/users"
          to /svc/users
          timeout 2s }
        route pinned { when header "x-pin" and path prefix "/users"
          to /svc/users
          dtab { /svc/users => /#/n/b; } }
        route named { when path prefix "/by-header"
          to /svc/{header:x-svc} }
        """

    func router() throws -> Router {
        Router(snapshot: try Support.snapshot(rules))
    }

    func testRoutesThroughTheRouteAndItsPolicy() throws {
        let decision = try router().route(RequestFacts(method: "GET", target: "http://x/users/1")).get()
        XCTAssertEqual(decision.routeName, "users")
        XCTAssertEqual(decision.name.show, "/svc/users")
        XCTAssertEqual(decision.bound.show, "3.00*/#/n/a & /#/n/b")
        XCTAssertEqual(decision.policy.timeout, .seconds(2))
    }

    /// The decision of the last name is reused only for a request that
    /// names exactly the same: other hosts, header values that extend or
    /// shorten it, or another route get their own.
    func testTheLastNameIsReusedOnlyForTheSameName() throws {
        let router = try router()
        func name(_ target: String, _ headers: [RequestFacts.Header] = []) throws -> String {
            try router.route(RequestFacts(method: "GET", target: target, headers: headers)).get().name.show
        }
        XCTAssertEqual(try name("http://a/"), "/svc/a")
        XCTAssertEqual(try name("http://a/"), "/svc/a")
        XCTAssertTrue(router.lastNamedUsed, "the second request was answered from the last decision")
        XCTAssertEqual(try name("http://b/"), "/svc/b")
        let longer = try XCTUnwrap(router.route(RequestFacts(method: "GET", target: "http://ab/")).failure)
        XCTAssertTrue(longer.message.hasPrefix("/svc/ab "), longer.message)
        XCTAssertEqual(try name("http://a/"), "/svc/a")
        XCTAssertEqual(try name("/by-header", [.init("x-svc", "a")]), "/svc/a")
        XCTAssertEqual(try router.route(RequestFacts(method: "GET", target: "/by-header", headers: [.init("x-svc", "a")])).get().routeName,
                       "named", "the same name under another route is that route's")
        XCTAssertEqual(try name("/by-header", [.init("x-svc", "b")]), "/svc/b")
        XCTAssertNotNil(router.route(RequestFacts(method: "GET", target: "/by-header")).failure, "a missing header is still missing")
        XCTAssertEqual(try name("http://a/"), "/svc/a")
    }

    func testRouteLocalDtabAppliesToThatRouteOnly() throws {
        let router = try router()
        let pinned = try router.route(RequestFacts(method: "GET", target: "/users", headers: [.init("x-pin", "1")])).get()
        XCTAssertEqual(pinned.bound.show, "/#/n/b")
        let plain = try router.route(RequestFacts(method: "GET", target: "/users")).get()
        XCTAssertEqual(plain.bound.show, "3.00*/#/n/a & /#/n/b")
    }

    func testIdentifiedRequestsUseTheDefaults() throws {
        let decision = try router().route(RequestFacts(method: "GET", target: "http://a/")).get()
        XCTAssertNil(decision.routeName)
        XCTAssertEqual(decision.name.show, "/svc/a")
        XCTAssertEqual(decision.bound.show, "/#/n/a")
        XCTAssertNil(decision.policy.timeout)
    }

    func testFailuresCarryStatusAndExplanation() throws {
        let router = try router()
        let unbound = router.route(RequestFacts(method: "GET", target: "http://nope/"))
        XCTAssertEqual(unbound.failure?.status, 502)
        XCTAssertEqual(unbound.failure?.message, "/svc/nope binds to neg with dtab /svc=>/#/n;/svc/users=>3.00*/#/n/a & /#/n/b")
        let unnamed = router.route(RequestFacts(method: "GET", target: "/by-header"))
        XCTAssertEqual(unnamed.failure?.status, 400)
        XCTAssertEqual(unnamed.failure?.message, "route named cannot name the request: the request has no x-svc header")
        let noHost = router.route(RequestFacts(method: "GET", target: "/"))
        XCTAssertEqual(noHost.failure?.kind, .unidentified)
    }

    func testOverridesAppendAndWin() throws {
        let router = try router()
        let decision = try router.route(RequestFacts(method: "GET", target: "/users"), dtabOverride: "/svc/users => /#/n/e").get()
        XCTAssertEqual(decision.bound.show, "/#/n/e")
        let malformed = router.route(RequestFacts(method: "GET", target: "/users"), dtabOverride: "/svc/users =>")
        XCTAssertEqual(malformed.failure?.status, 400)
        XCTAssertTrue(malformed.failure?.message.hasPrefix("malformed l5d-dtab: column ") ?? false)
    }

    func testBindingsAreCachedPerDtabAndNameAndDroppedOnUpdate() throws {
        let router = try router()
        _ = router.route(RequestFacts(method: "GET", target: "http://a/"))
        _ = router.route(RequestFacts(method: "GET", target: "http://a/other"))
        XCTAssertEqual(router.cachedBindings, 1, "same dtab and name share one binding")
        _ = router.route(RequestFacts(method: "GET", target: "/users"))
        _ = router.route(RequestFacts(method: "GET", target: "/users", headers: [.init("x-pin", "1")]))
        XCTAssertEqual(router.cachedBindings, 3, "the same name under another route's dtab is another binding")

        // A namer answer changes: a new snapshot with new namers drops every cached binding.
        let moved = NamerTable(["n": MemoryNamer(name: "n", services: ["a": [Endpoint(host: "10.9.9.9", port: 1)]])])
        router.update(router.snapshot.replacingNamers(moved, generation: 1))
        XCTAssertEqual(router.cachedBindings, 0)
        let decision = try router.route(RequestFacts(method: "GET", target: "http://a/")).get()
        XCTAssertEqual(decision.bound.leaves.first?.endpoints.first?.host, "10.9.9.9")
    }

    func testCacheIsBounded() throws {
        let router = Router(snapshot: try Support.snapshot(rules), cacheLimit: 10)
        for index in 0..<25 { _ = router.route(RequestFacts(method: "GET", target: "http://h\(index)/")) }
        XCTAssertLessThanOrEqual(router.cachedBindings, 10)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

// MARK: - Cache misses

final class RouterCacheMissTests: XCTestCase {
    /// A name that binds to nothing is remembered like one that binds, and
    /// a full cache forgets gradually: a name in use stays cached.
    func testFailuresAreCachedAndEvictionIsGradual() throws {
        let rules = """
            listen 127.0.0.1:1
            namer n = files "d"
            identify host
            dtab { /svc/known => /#/n/a; }
            """
        let router = Router(snapshot: try Support.snapshot(rules), cacheLimit: 100)
        XCTAssertNotNil(router.route(RequestFacts(method: "GET", target: "http://unknown/")).failure)
        XCTAssertEqual(router.cachedBindings, 1, "the failure is remembered")
        XCTAssertNotNil(router.route(RequestFacts(method: "GET", target: "http://unknown/")).failure)
        XCTAssertEqual(router.cachedBindings, 1)
        _ = try router.route(RequestFacts(method: "GET", target: "http://known/")).get()
        for index in 0..<1_000 {
            _ = router.route(RequestFacts(method: "GET", target: "http://h\(index)/"))
            if index % 30 == 0 { _ = try router.route(RequestFacts(method: "GET", target: "http://known/")).get() }
            XCTAssertGreaterThanOrEqual(router.cachedBindings, min(index + 2, 50), "never emptied at once")
        }
        XCTAssertNotNil(router.cache.value(for: Router.CacheKey(dtab: 0, override: nil, name: Path(["svc", "known"]))))
    }

    func testAFailureMessageDoesNotSpellOutAHugeDtab() throws {
        let dentries = (0..<10_000).map { "  /svc/s\($0) => /#/n/a;" }.joined(separator: "\n")
        let rules = "listen 127.0.0.1:1\nnamer n = files \"d\"\nidentify host\ndtab {\n\(dentries)\n}\n"
        let router = Router(snapshot: try Support.snapshot(rules))
        _ = try router.route(RequestFacts(method: "GET", target: "http://s9999/")).get()
        let failure = try XCTUnwrap(router.route(RequestFacts(method: "GET", target: "http://nope/")).failure)
        XCTAssertLessThan(failure.message.utf8.count, 300, failure.message)
        XCTAssertTrue(failure.message.contains("9997 dentries before them"), failure.message)
    }
}
