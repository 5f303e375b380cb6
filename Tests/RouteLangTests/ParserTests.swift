import RouteLang
import XCTest

// MARK: - ParserTests

final class ParserTests: XCTestCase {
    func testQuickstartShape() throws {
        let file = Support.parse(try Support.example("quickstart.routes").text)
        let kinds = file.statements.map { statement -> String in
            switch statement {
            case .listen: return "listen"
            case .admin: return "admin"
            case .namer: return "namer"
            case .identify: return "identify"
            case .dtab: return "dtab"
            case .defaults: return "defaults"
            case .route: return "route"
            case .split: return "split"
            case .limits: return "limits"
            case .tracing: return "tracing"
            case .accessLog: return "access-log"
            }
        }
        XCTAssertEqual(kinds, ["listen", "admin", "namer", "identify", "dtab", "defaults", "route", "route", "split"])
        XCTAssertEqual(file.comments.count, 10)
    }

    func testEveryNodeHasARangeInsideTheFile() throws {
        let source = try Support.example("quickstart.routes")
        let file = Support.parse(source.text)
        for statement in file.statements {
            XCTAssertLessThan(statement.range.start, statement.range.end)
            XCTAssertLessThanOrEqual(statement.range.end, source.bytes.count)
        }
        guard case .route(let route) = file.statements[6] else { return XCTFail("expected a route") }
        XCTAssertEqual(source.text(of: route.name.range), "users-api")
        let condition = route.whenClauses[0].conditions[1]
        XCTAssertEqual(source.text(of: condition.range), "path prefix \"/users/\"")
        XCTAssertEqual(source.text(of: condition.argumentRange), "\"/users/\"")
    }

    func testRouteMembers() {
        let file = Support.parse("""
            route r {
              when host "*.Example.com" and not header "X-Dry-Run"
              when method GET, HEAD and query "v" == "2"
              to /svc/{header:X-Target}/{path:2}
              timeout 2s
              dtab { /svc => /#/d; }
            }
            """)
        guard case .route(let route) = file.statements[0] else { return XCTFail("expected a route") }
        XCTAssertEqual(route.whenClauses.count, 2)
        XCTAssertEqual(route.whenClauses[0].conditions.map(\.condition), [
            Condition(.host(.wildcard(suffix: ".example.com"))),
            Condition(.headerPresent("x-dry-run"), negated: true),
        ])
        XCTAssertEqual(route.whenClauses[1].conditions.map(\.condition), [
            Condition(.methods(["GET", "HEAD"])), Condition(.queryEquals("v", "2")),
        ])
        XCTAssertEqual(route.targets[0].value.labels, [
            [.literal("svc")], [.variable(.header("x-target"))], [.variable(.path(2))],
        ])
        XCTAssertEqual(route.policies.count, 1)
        XCTAssertEqual(route.dtabBlocks[0].entries.map(\.dentry.show), ["/svc=>/#/d"])
    }

    func testTemplatePartsInsideOneLabel() {
        let file = Support.parse("identify /svc/{host}-v2")
        guard case .identify(let decl) = file.statements[0], case .template(let template) = decl.form else {
            return XCTFail("expected a template")
        }
        XCTAssertEqual(template.value.labels[1], [.variable(.host), .literal("-v2")])
        XCTAssertEqual(template.value.description, "/svc/{host}-v2")
    }

    func testPolicyOptionsInAnyOrderAndOnContinuationLines() {
        let file = Support.parse("""
            defaults {
              retry on 5xx, connect-error
                backoff 10ms..1s limit 3
                budget 25% min 5/s ttl 30s
              accrual success-rate 95% window 1m min-requests 50
            }
            """)
        guard case .defaults(let block) = file.statements[0], case .retry(let retry) = block.items[0].kind,
              case .accrual(let accrual) = block.items[1].kind else { return XCTFail("expected retry and accrual") }
        XCTAssertEqual(retry.classes.map(\.value), [.status(500...599), .connectError])
        XCTAssertEqual(retry.limit?.value, 3)
        XCTAssertEqual(retry.budget?.value, 25)
        XCTAssertEqual(retry.minRate?.value, 5)
        XCTAssertEqual(retry.ttl?.value, .seconds(30))
        XCTAssertEqual(retry.backoff?.value, DurationRange(.milliseconds(10), .seconds(1)))
        guard case .successRate(let rate) = accrual.mode else { return XCTFail("expected success-rate") }
        XCTAssertEqual(rate.value, 0.95, accuracy: 1e-12)
        XCTAssertEqual(accrual.window?.value, .seconds(60))
    }

    func testRecoveryReportsEveryErrorInOneRun() {
        let (_, diagnostics) = Parser.parse(SourceFile(name: "t.routes", text: """
            lisen 1.2.3.4:1
            defaults {
              timout 1s
              retry on 5xy
              balance fastest
            }
            route ok { to /svc/a }
            route bad {
              when hots "x"
              to /svc/{nope}
            }
            split /s { 50 }
            """))
        XCTAssertEqual(diagnostics.items.map(\.code), [
            .unknownStatement, .unknownPolicy, .invalidStatusClass, .unknownBalancer, .unknownCondition,
            .unknownTemplateVariable, .expectedToken,
        ])
    }

    func testErrorCapCountsTheRest() {
        let text = (1...30).map { "bogus\($0) x" }.joined(separator: "\n")
        let (_, diagnostics) = Parser.parse(SourceFile(name: "t.routes", text: text), errorLimit: 10)
        XCTAssertEqual(diagnostics.items.count, 10)
        XCTAssertEqual(diagnostics.suppressedErrors, 20)
        XCTAssertEqual(diagnostics.errorCount, 30)
    }

    func testDurationsAndLiterals() throws {
        XCTAssertEqual(try LiteralParser.duration("1.5s").get(), .milliseconds(1500))
        XCTAssertEqual(try LiteralParser.duration("250us").get(), .microseconds(250))
        XCTAssertEqual(try LiteralParser.duration("2m").get(), .seconds(120))
        XCTAssertEqual(try LiteralParser.duration("1h").get(), .seconds(3600))
        XCTAssertNil(try? LiteralParser.duration("10").get())
        XCTAssertNil(try? LiteralParser.duration("s").get())
        XCTAssertEqual(try LiteralParser.statusClass("502-504").get(), 502...504)
        XCTAssertNil(try? LiteralParser.statusClass("504-502").get())
        XCTAssertEqual(try LiteralParser.address("[::1]:4140").get(), SocketAddress(host: "::1", port: 4140))
        XCTAssertNil(try? LiteralParser.address(":4140").get())
        XCTAssertEqual(try LiteralParser.ratio("90%").get(), 0.9, accuracy: 1e-12)
        XCTAssertEqual(try LiteralParser.retryClass("unavailable").get(), .grpc(.unavailable))
    }
}
