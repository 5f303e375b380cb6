import RouteLang
import XCTest

// MARK: - CheckerTests

final class CheckerTests: XCTestCase {
    let header = """
        listen 127.0.0.1:4140
        namer disco = files "d"
        dtab { /svc => /#/disco; }

        """

    func codes(_ text: String) -> [DiagnosticCode] {
        Support.lint(header + text).diagnostics.sorted.map(\.code)
    }

    func testExamplesAreClean() throws {
        for name in Support.exampleNames {
            let result = RuleFrontEnd.lint(try Support.example(name))
            XCTAssertEqual(Support.lines(result), [], name)
            XCTAssertNotNil(result.config, name)
        }
    }

    func testMoreSpecificRouteIsNotShadowed() {
        XCTAssertEqual(codes("""
            route broad { when host "a.example.com"
              to /svc/a }
            route narrow { when host "a.example.com" and header "x"
              to /svc/b }
            route wildcard { when host "*.example.com"
              to /svc/c }
            """), [])
    }

    func testShadowingNeedsEveryClauseCovered() {
        XCTAssertEqual(codes("""
            route first { when host "a.example.com"
              to /svc/a }
            route second { when host "a.example.com"
              when host "b.example.com"
              to /svc/b }
            """), [])
        XCTAssertEqual(codes("""
            route first { when host "a.example.com" and path prefix "/x"
              to /svc/a }
            route second { when path prefix "/x" and host "a.example.com"
              to /svc/b }
            """), [.shadowedRoute])
    }

    func testNegatedConditionsDoNotOutrankButDoNotShadowEither() {
        // `second` adds a header condition, which makes it more specific.
        XCTAssertEqual(codes("""
            route first { when host "a.example.com"
              to /svc/a }
            route second { when host "a.example.com" and not header "x"
              to /svc/b }
            """), [])
    }

    func testCatchAllRouteAfterAnotherCatchAllIsShadowed() {
        XCTAssertEqual(codes("route a { to /svc/a }\nroute b { to /svc/b }"), [.shadowedRoute])
    }

    func testContradictionUsesTheMergedPolicy() {
        XCTAssertEqual(codes("""
            defaults { attempt-timeout 5s }
            route a { when host "a.example.com"
              to /svc/a
              timeout 1s }
            """), [.contradictoryTimeouts])
    }

    func testRetryMethodsOptInSilencesTheWarning() {
        XCTAssertEqual(codes("""
            route a { when method POST
              to /svc/a
              retry on 503 methods POST }
            """), [])
    }

    func testCompiledPolicyMergesOptionByOption() throws {
        let config = try XCTUnwrap(Support.compile(header + """
            defaults {
              retry on 5xx limit 2 budget 20% min 10/s
              accrual success-rate 0.9 window 20s
              balance peak-ewma decay 5s
              classify 429 as failure
            }
            route a {
              when host "a.example.com"
              to /svc/a
              retry on 503 limit 4
              accrual success-rate 0.8
              balance peak-ewma default-rtt 50ms
              classify 503 as retryable-failure
            }
            """))
        let policy = config.routes[0].policy
        XCTAssertEqual(policy.retry.classes, [.status(503...503)])
        XCTAssertEqual(policy.retry.limit, 4)
        XCTAssertEqual(policy.retry.budget, RetryBudget(percent: 20, minPerSecond: 10, ttl: .seconds(10)))
        XCTAssertEqual(policy.accrual.mode, .successRate(rate: 0.8, window: .seconds(20), minRequests: 10))
        XCTAssertEqual(policy.balance, .peakEWMA(decay: .seconds(5), defaultRTT: .milliseconds(50)))
        XCTAssertEqual(policy.classification.map(\.responseClass), [.retryableFailure, .failure])
        XCTAssertEqual(config.defaults.retry.limit, 2)
    }

    func testSplitsCompileToWeightedDentriesAfterTheDtab() throws {
        let config = try XCTUnwrap(Support.compile(header + """
            identify host
            split /svc/s {
              90% /#/disco/a
              10% /#/disco/b
            }
            """))
        XCTAssertEqual(config.dtab.show, "/svc=>/#/disco;/svc/s=>0.90*/#/disco/a & 0.10*/#/disco/b")
        XCTAssertEqual(config.identification?.description, "/svc/{host}")
        XCTAssertEqual(config.admin, RoutingConfig.defaultAdmin)
    }

    func testSpecificityOrder() {
        func specificity(_ conditions: [Condition]) -> Specificity { Specificity(conditions) }
        let exact = specificity([Condition(.host(.exact("a.example.com")))])
        let wildcardLong = specificity([Condition(.host(.wildcard(suffix: ".api.example.com")))])
        let wildcardShort = specificity([Condition(.host(.wildcard(suffix: ".example.com")))])
        XCTAssertGreaterThan(exact, wildcardLong)
        XCTAssertGreaterThan(wildcardLong, wildcardShort)
        let exactPath = specificity([Condition(.path("/a"))])
        let longPrefix = specificity([Condition(.pathPrefix("/a/b/"))])
        let shortPrefix = specificity([Condition(.pathPrefix("/a"))])
        XCTAssertGreaterThan(exactPath, longPrefix)
        XCTAssertGreaterThan(longPrefix, shortPrefix)
        XCTAssertGreaterThan(specificity([Condition(.methods(["GET"]))]), specificity([Condition(.headerPresent("x"))]))
        XCTAssertGreaterThan(specificity([Condition(.headerPresent("x")), Condition(.headerPresent("y"))]),
                             specificity([Condition(.headerPresent("x")), Condition(.queryEquals("a", "b"))]))
    }

    func testSegmentAwarePrefix() {
        XCTAssertTrue(PathPrefix.matches("/users", prefix: "/users/"))
        XCTAssertTrue(PathPrefix.matches("/users/42", prefix: "/users"))
        XCTAssertFalse(PathPrefix.matches("/usersx", prefix: "/users"))
        XCTAssertTrue(PathPrefix.matches("/anything", prefix: "/"))
    }
}
