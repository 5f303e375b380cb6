@testable import Engine
import RouteLang
import XCTest

// MARK: - DelegationLintTests

/// Loop diagnostics: each case is a rule file beside the diagnostic lines
/// (`line:col: severity[CODE]: message`, then notes) it must produce.
final class DelegationLintTests: XCTestCase {
    static let cases: [(name: String, input: String, expected: [String])] = [
        ("a union that names itself (the issue's file)", """
            listen 127.0.0.1:18095
            identify host
            dtab {
              /svc => /x;
              /x => (/x & /x & /$/inet/127.0.0.1/1);
            }
            """, [
                "5:3: error[RL0226]: delegation loop: /x/{host} -> /x/{host}, with no way out",
                "  = note: `/svc=>/x` rewrites /svc/{host} to /x/{host} (at 4:3)",
                "  = note: `/x=>/x & /x & /$/inet/127.0.0.1/1` rewrites /x/{host} to /x/{host} (at 5:3)",
                "  = note: /svc/{host} is a name the identifier produces (at 2:1)",
            ]),
        ("two dentries that point at each other", """
            route r {
              when host "a.example.com"
              to /a
            }
            dtab {
              /a => /b;
              /b => /a;
            }
            """, [
                "7:3: error[RL0226]: delegation loop: /a -> /b -> /a, with no way out",
                "  = note: `/a=>/b` rewrites /a to /b (at 6:3)",
                "  = note: `/b=>/a` rewrites /b to /a (at 7:3)",
                "  = note: /a is a name route r produces (at 3:3)",
            ]),
        ("a name that keeps growing", """
            identify host
            dtab { /svc => /svc/x; }
            """, [
                "2:8: error[RL0226]: delegation loop: /svc/{host} -> /svc/x/{host} -> /svc/x/x/{host} -> /svc/x/x/x/{host} -> …, with no way out",
            ]),
        ("a loop for one host only", """
            namer disco = files "examples/disco"
            identify host
            dtab {
              /svc => /#/disco;
              /svc/a => /svc/a/b;
            }
            """, [
                "5:3: error[RL0226]: delegation loop: /svc/a -> /svc/a/b -> /svc/a/b/b -> /svc/a/b/b/b -> …, with no way out",
            ]),
        ("a loop only when discovery lacks the service", """
            namer disco = files "examples/disco"
            identify host
            dtab { /svc => /#/disco | /svc/x; }
            """, [
                "3:8: warning[RL0310]: delegation loop: /svc/{host} -> /svc/x/{host} -> /svc/x/x/{host} -> /svc/x/x/x/{host} -> … when discovery has none of the names tried before it",
            ]),
        ("a cycle only the dentry graph sees", """
            namer disco = files "examples/disco"
            identify host
            dtab {
              /svc => /#/disco | /y/z;
              /y/z/q => /y/z/q;
            }
            """, [
                "5:3: warning[RL0310]: dentries can rewrite names into each other: /y/z/q -> /y/z/q",
                "  = note: the identifier produces names that reach it (at 2:1)",
            ]),
        ("a fail-over that leaves the cycle is clean", """
            namer disco = files "examples/disco"
            identify host
            dtab {
              /svc => /#/disco;
              /svc/pay => /#/disco/pay-eu | /#/disco/pay-us;
              /svc/users => 0.9 * /svc/users-v1 & 0.1 * /#/disco/users-v2;
            }
            """, []),
    ]

    func testEveryCaseProducesItsDiagnostics() throws {
        for fixture in Self.cases {
            let result = RuleLinter.lint(SourceFile(name: "case.routes", text: fixture.input))
            let rendered = DiagnosticRenderer().render(result.diagnostics.sorted, in: result.source)
            let lines = rendered.split(separator: "\n").map { line in
                line.hasPrefix("case.routes:") ? String(line.dropFirst("case.routes:".count)) : String(line)
            }
            for expected in fixture.expected {
                XCTAssertTrue(lines.contains(expected), "\(fixture.name): missing `\(expected)`; got:\n\(rendered)")
            }
            let loops = result.diagnostics.items.filter { $0.code == .delegationLoop || $0.code == .possibleDelegationLoop }
            XCTAssertEqual(loops.count, fixture.expected.filter { $0.contains("[RL0") }.count, "\(fixture.name):\n\(rendered)")
        }
    }

    /// A file with a definite loop has no config, so `run` and reloads refuse it.
    func testDefiniteLoopRejectsTheFile() {
        let result = RuleLinter.lint(SourceFile(name: "case.routes", text: Self.cases[0].input))
        XCTAssertNil(result.config)
        XCTAssertNotNil(RuleLinter.lint(SourceFile(name: "case.routes", text: Self.cases[4].input)).config, "a warning keeps the file")
    }

    func testTemplatesFillLabelsTheyCanProduce() {
        XCTAssertTrue(DelegationLint.canFill([.variable(.host), .literal("-v2")], with: "users-v2"))
        XCTAssertFalse(DelegationLint.canFill([.variable(.host), .literal("-v2")], with: "users"))
        XCTAssertTrue(DelegationLint.canFill([.literal("a-"), .variable(.host)], with: "a-b"))
        XCTAssertFalse(DelegationLint.canFill([.literal("a-"), .variable(.host)], with: "b"))
    }
}
