@testable import Engine
import RouteLang
import XCTest

// MARK: - DelegationErrorTests

/// Errors (depth limit, loops, failing namers) fail the whole binding, as a
/// failed `Activity` does in Finagle's `Namer.bind`; and every binding's work
/// is bounded. Cases from Finagle's NamerTest ("NameTree.bind: union",
/// "failover", "Alt with Fail/Empty", "max recursion level reached") are
/// marked with the test they come from.
final class DelegationErrorTests: XCTestCase {
    // MARK: Finagle NamerTest

    /// "NameTree.bind: Alt with Fail/Empty": fail and empty stop an alternation.
    func testAltWithFailAndEmpty() throws {
        XCTAssertEqual(try Support.bind("/s=>(! | /#/n/a | /#/n/b)", "/s").outcome, .fail)
        XCTAssertEqual(try Support.bind("/s=>(~ | /$/fail | /#/n/a)", "/s").outcome, .fail)
        XCTAssertEqual(try Support.bind("/s=>(/$/nil | /$/fail | /#/n/a)", "/s").outcome, .empty)
    }

    /// "NameTree.bind: union": ok & neg keeps the ok branch; neg & neg is
    /// neg; empty & neg is empty; a failed branch fails the union.
    func testUnionStates() throws {
        XCTAssertEqual(try Support.bind("/s=>/#/n/a & /#/n/zz", "/s").tree.show, "/#/n/a")
        XCTAssertEqual(try Support.bind("/s=>/#/n/zz & /#/n/yy", "/s").outcome, .neg)
        XCTAssertEqual(try Support.bind("/s=>$ & /#/n/zz", "/s").outcome, .empty)
        XCTAssertEqual(try Support.bind("/s=>/#/n/a & /#/n/b", "/s").tree.show, "/#/n/a & /#/n/b")
        let failed = try Support.bind("/s=>/#/n/a & /#/broken/x", "/s")
        XCTAssertEqual(failed.error?.description, "namer /#/broken failed: source unreachable")
        XCTAssertEqual(failed.tree, .neg)
        XCTAssertNotNil(try Support.bind("/s=>/#/broken/x & /#/broken/y", "/s").error)
    }

    /// "NameTree.bind: failover": `/0 | /1 & /2` as the first branch changes.
    func testFailover() throws {
        let dtab = "/t/1=>/#/n/zz;/t/2=>/#/n/yy;/s=>/t/0 | /t/1 & /t/2"
        XCTAssertEqual(try Support.bind(dtab + ";/t/0=>$", "/s").outcome, .empty)
        XCTAssertEqual(try Support.bind(dtab + ";/t/0=>/$/inet/127.0.0.1/1", "/s").tree.show, "/$/inet/127.0.0.1/1")
        XCTAssertEqual(try Support.bind(dtab + ";/t/0=>~", "/s").outcome, .neg)
        XCTAssertEqual(try Support.bind(dtab + ";/t/0=>~;/t/2=>/$/inet/127.0.0.1/2", "/s").tree.show, "/$/inet/127.0.0.1/2")
    }

    /// "Namer.bind: max recursion level reached".
    func testMaxRecursion() throws {
        let resolution = try Support.bind("/s=>/s/srv", "/s/foo/bar")
        let error = try XCTUnwrap(resolution.error)
        guard case .loop = error.kind else { return XCTFail("expected a loop, got \(error)") }
        XCTAssertTrue(error.description.hasPrefix("delegation loop: /s/foo/bar -> /s/srv/foo/bar -> /s/srv/srv/foo/bar"), error.description)
        XCTAssertTrue(error.description.hasSuffix("-> … (more than 100 rewrites)"), error.description)
    }

    // MARK: Finagle DtabTest

    /// "Does not recurse indefinitely", "Handles unknown", "Dtab.delegated(Dtab)".
    func testDtabCases() throws {
        guard case .loop(let chain)? = try Support.bind("/foo=>/bar;/bar=>/foo", "/foo").error?.kind else {
            return XCTFail("a two-dentry cycle is a loop error")
        }
        XCTAssertEqual(chain.map(\.show), ["/foo", "/bar", "/foo"])
        XCTAssertEqual(try Support.bind("/foo=>/bar", "/blah").outcome, .neg)
        let d1 = "/foo=>/bar"
        let d2 = "/foo=>/biz;/biz=>/$/inet/8080;/bar=>/$/inet/9090"
        XCTAssertEqual(try Support.bind(d1 + ";" + d2, "/foo").tree.show, "/$/inet/8080", "d1 ++ d2: d2's /foo wins")
        XCTAssertEqual(try Support.bind(d2 + ";" + d1, "/foo").tree.show, "/$/inet/9090", "d2 ++ d1: d1's /foo wins")
    }

    // MARK: Errors propagate

    func testLoopInOneUnionBranchFailsTheUnion() throws {
        let resolution = try Support.bind("/s=>/#/n/a & /l;/l=>/l/x", "/s")
        XCTAssertNotNil(resolution.error, "Finagle fails the union; the loop must not shift all traffic to /#/n/a")
        XCTAssertEqual(resolution.outcome, .error(resolution.error!.description))
    }

    func testErrorInAlternationFailsOnlyWhenReached() throws {
        XCTAssertNotNil(try Support.bind("/s=>/l | /#/n/a;/l=>/l/x", "/s").error)
        XCTAssertNotNil(try Support.bind("/s=>/#/n/zz | /l | /#/n/a;/l=>/l/x", "/s").error, "a neg branch leads on to the loop")
        XCTAssertEqual(try Support.bind("/s=>/#/n/a | /l;/l=>/l/x", "/s").tree.show, "/#/n/a", "the loop is never reached")
        XCTAssertEqual(try Support.bind("/s=>! | /#/broken/x", "/s").outcome, .fail, "fail stops before the broken namer")
        XCTAssertNotNil(try Support.bind("/s=>~ | /#/broken/x", "/s").error)
    }

    func testErrorInLaterDentryFailsTheName() throws {
        // Dentries are alternatives too: the last one is tried first.
        XCTAssertNotNil(try Support.bind("/s=>/#/n/a;/s=>/l;/l=>/l/x", "/s").error)
        XCTAssertEqual(try Support.bind("/s=>/l;/s=>/#/n/a;/l=>/l/x", "/s").tree.show, "/#/n/a")
    }

    // MARK: Bounded work

    /// The file: a union that names itself doubled the work with
    /// every level (2^100); now the first branch's loop ends the binding.
    func testSelfNamingUnionEndsAtTheFirstError() throws {
        let resolution = try Support.bind("/svc=>/x;/x=>(/x & /x & /$/inet/127.0.0.1/1)", "/svc/web")
        XCTAssertEqual(resolution.error?.description, "delegation loop: /x/web -> /x/web (more than 100 rewrites)")
        XCTAssertLessThan(resolution.steps, 500)
    }

    /// Alternations of alternations that end in neg: each name is expanded
    /// once per depth, so 60 levels cost hundreds of steps, not 2^60.
    func testRepeatedNamesAreExpandedOnce() throws {
        let levels = (0..<60).map { "/a\($0)=>/a\($0 + 1) | /a\($0 + 1)" }.joined(separator: ";") + ";/a60=>~"
        let resolution = try Support.bind(levels, "/a0")
        XCTAssertNil(resolution.error)
        XCTAssertEqual(resolution.outcome, .neg)
        XCTAssertLessThan(resolution.steps, 400)
        let text = Explanation.render(resolution.trace, indent: "")
        XCTAssertTrue(text.contains("/a2 (as above)  [neg]"), text)
        XCTAssertLessThan(text.split(separator: "\n").count, 400)
    }

    /// A union whose every branch leads to new names (`/l1/0`, `/l1/1`,
    /// `/l2/0/0`, …) doubles the work per level without ever repeating or
    /// erring; the budget stops it and names the names it went through.
    static func doubling(levels: Int) -> String {
        (0..<levels).map { "/l\($0)=>/l\($0 + 1)/0 & /l\($0 + 1)/1" }.joined(separator: ";") + ";/l\(levels)=>~"
    }

    func testBudgetStopsWorkThatDoublesPerLevel() throws {
        XCTAssertEqual(try Support.bind(Self.doubling(levels: 8), "/l0").outcome, .neg, "256 leaves fit the budget")
        let resolution = try Support.bind(Self.doubling(levels: 20), "/l0")
        let error = try XCTUnwrap(resolution.error)
        guard case .budgetExceeded(let budget, let chain) = error.kind else { return XCTFail("expected the budget, got \(error)") }
        XCTAssertEqual(budget, Delegator.defaultBudget)
        XCTAssertFalse(chain.isEmpty)
        XCTAssertEqual(resolution.steps, Delegator.defaultBudget + 1)
        XCTAssertTrue(error.description.hasPrefix("delegation exceeded its work budget of 10000 steps: /l0 -> /l1/0 -> /l2/0/0 -> /l3/0/0/0 -> …"),
                      error.description)

        let small = try Support.bind(Self.doubling(levels: 20), "/l0", budget: 100)
        XCTAssertEqual(small.steps, 101)
    }

    /// On the request path a binding also stops after about a millisecond,
    /// checked every 32 nodes, long before 10,000 nodes of growing names.
    func testRequestPathTimeLimit() throws {
        let dtab = try Support.dtab(Self.doubling(levels: 20))
        let delegator = Delegator(dtab: dtab, namers: Support.namers, timeLimit: .microseconds(50))
        let resolution = delegator.bind(try Support.path("/l0"), tracing: false)
        guard case .tooSlow(let steps, _) = resolution.error?.kind else { return XCTFail("expected the time limit, got \(String(describing: resolution.error))") }
        XCTAssertEqual(steps % Delegator.Work.clockInterval, 0)
        XCTAssertLessThan(steps, Delegator.defaultBudget)
        XCTAssertTrue(resolution.error!.description.hasPrefix("delegation exceeded its time budget of 1ms after \(steps) steps: /l0 -> "))
        XCTAssertEqual(resolution.trace, DelegationNode.untraced, "no trace is built on the request path")
    }

    /// Random dtabs over a few names: every binding ends within the budget.
    func testRandomDtabsStayWithinTheBudget() throws {
        var random = SystemRandomNumberGenerator()
        let labels = ["a", "b", "c", "d"]
        func leaf() -> String {
            let roll = Int.random(in: 0..<10, using: &random)
            switch roll {
            case 0: return "~"
            case 1: return "/#/n/a"
            case 2: return "/#/broken/q"
            default: return "/" + (0..<Int.random(in: 1...3, using: &random)).map { _ in labels.randomElement(using: &random)! }.joined(separator: "/")
            }
        }
        func tree(_ depth: Int) -> String {
            guard depth > 0 else { return leaf() }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return "(" + tree(depth - 1) + " | " + tree(depth - 1) + ")"
            case 1: return "(" + tree(depth - 1) + " & " + tree(depth - 1) + ")"
            default: return leaf()
            }
        }
        for _ in 0..<300 {
            let dtab = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                "/" + labels.randomElement(using: &random)! + "=>" + tree(3)
            }.joined(separator: ";")
            let resolution = try Support.bind(dtab, "/" + labels.randomElement(using: &random)!, budget: 2_000)
            XCTAssertLessThanOrEqual(resolution.steps, 2_001, dtab)
        }
    }

    // MARK: Routing

    /// A hostile `l5d-dtab` fails its request with a message naming the
    /// loop; the work budget comes from `limits`.
    func testOverrideLoopFailsTheRequestWithinTheBudget() throws {
        let snapshot = try Support.snapshot("""
            listen 127.0.0.1:4140 allow-dtab-override
            namer n = files "unused"
            identify host
            dtab { /svc => /#/n; }
            limits { delegation-budget 500 }
            """)
        XCTAssertEqual(snapshot.delegationBudget, 500)
        let router = Router(snapshot: snapshot)
        let request = RequestFacts(method: "GET", target: "/", authority: "web")
        let outcome = router.route(request, dtabOverride: "/svc => /x; /x => (/x & /x & /svc/ok)")
        guard case .failure(let failure) = outcome else { return XCTFail("expected a failure") }
        XCTAssertEqual(failure.kind, .unbound)
        // The depth limit ends it, or (in a slow debug build) the 1 ms limit.
        XCTAssertTrue(failure.message == "/svc/web: delegation loop: /x/web -> /x/web (more than 100 rewrites)"
                      || failure.message.hasSuffix(": /x/web -> /x/web"), failure.message)
        let growing = router.route(request, dtabOverride: "/svc => /l0;" + Self.doubling(levels: 12))
        guard case .failure(let budget) = growing else { return XCTFail("expected a failure") }
        // The request path also stops after 1 ms, whichever bound comes first.
        XCTAssertTrue(budget.message.contains("work budget of 500 steps") || budget.message.contains("time budget of 1ms"), budget.message)
    }
}
