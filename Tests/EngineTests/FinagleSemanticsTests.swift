import Engine
import RouteLang
import XCTest

// MARK: - FinagleSemanticsTests

/// Finagle delegation semantics, table-driven. Each row is what Finagle's
/// `Dtab.lookup` / `Namer.bind` gives for the same dtab and path (bound
/// leaves shown by id).
final class FinagleSemanticsTests: XCTestCase {
    /// dtab, path, show form of the one-step lookup.
    static let lookups: [(String, String, String)] = [
        ("/a=>/b", "/a", "/b"),
        ("/a=>/b", "/a/x/y", "/b/x/y"),
        ("/a=>/b", "/ab", "~"),
        ("/a=>/b", "/", "~"),
        ("/a/b=>/c", "/a", "~"),
        ("/=>/x", "/a/b", "/x/a/b"),
        ("/=>/x", "/", "/x"),
        ("/a=>/b;/a=>/c", "/a", "/c | /b"),
        ("/a=>/b;/c=>/d;/a=>/e", "/a/z", "/e/z | /b/z"),
        ("/a/*/c=>/d", "/a/b/c/e", "/d/e"),
        ("/a/*/c=>/d", "/a/b/d", "~"),
        ("/*=>/x", "/q/r", "/x/r"),
        ("/*=>/x", "/", "~"),
        ("/a=>/b & /c", "/a/z", "/b/z & /c/z"),
        ("/a=>2*/b & /c | !", "/a", "2.00*/b & /c | !"),
        ("/a=>~", "/a/b", "~"),
        ("/a=>$", "/a/b", "$"),
        ("/a=>(/b | /c) & /d", "/a/x", "(/b/x | /c/x) & /d/x"),
    ]

    /// dtab, path, expected bound tree (show form) or outcome name.
    static let bindings: [(String, String, String)] = [
        ("/s=>/#/n", "/s/a", "/#/n/a"),
        ("/s=>/#/n", "/s/zz", "~"),
        ("/s=>/#/n/zz | /#/n/a", "/s", "/#/n/a"),
        ("/s=>/#/n/a | /#/n/b", "/s", "/#/n/a"),
        ("/s=>! | /#/n/a", "/s", "!"),
        ("/s=>$ | /#/n/a", "/s", "$"),
        ("/s=>~ | ~", "/s", "~"),
        ("/s=>/#/n/a & /#/n/b", "/s", "/#/n/a & /#/n/b"),
        ("/s=>/#/n/a & ~", "/s", "/#/n/a"),
        ("/s=>/#/n/a & !", "/s", "/#/n/a"),
        ("/s=>~ & !", "/s", "~"),
        ("/s=>$ & /#/n/a", "/s", "$ & /#/n/a"),
        ("/s=>2*/#/n/a & 3*/#/n/b", "/s", "2.00*/#/n/a & 3.00*/#/n/b"),
        ("/s=>/#/n/a;/s=>/#/n/b", "/s", "/#/n/b"),
        ("/s=>/#/n/b;/s=>/#/n/zz", "/s", "/#/n/b"),
        ("/s=>/#/n/b;/s=>!", "/s", "!"),
        ("/s=>/#/n/b;/s=>~", "/s", "/#/n/b"),
        ("/s=>/#/n/b;/s=>$", "/s", "$"),
        ("/s=>/t;/t=>/#/n/a", "/s", "/#/n/a"),
        ("/s=>/t;/t=>/u;/u=>/#/n", "/s/b", "/#/n/b"),
        ("/s=>(/#/n/zz & /#/n/yy) | /#/n/a", "/s", "/#/n/a"),
        ("/s=>(/#/n/zz | /#/n/a) & /#/n/b", "/s", "/#/n/a & /#/n/b"),
        ("/s=>0.5*(/#/n/a & /#/n/b) & /#/n/e", "/s", "0.50*(/#/n/a & /#/n/b) & /#/n/e"),
        ("/s/*/x=>/#/n/a", "/s/q/x", "/#/n/a"),
        ("/s/*/x=>/#/n/a", "/s/q/y", "~"),
        ("/s=>/$/inet/127.0.0.1/8080", "/s", "/$/inet/127.0.0.1/8080"),
        ("/s=>/$/inet", "/s/127.0.0.1/80", "/$/inet/127.0.0.1/80"),
        ("/s=>/$/inet/8080", "/s", "/$/inet/8080"),
        ("/s=>/$/inet/127.0.0.1/http", "/s", "~"),
        ("/s=>/$/fail", "/s", "!"),
        ("/s=>/$/nil", "/s", "$"),
        ("/s=>/$/nope", "/s", "~"),
        ("/s=>/#/missing/a", "/s", "~"),
        ("/s=>/#/n/e", "/s", "/#/n/e"),
        ("/s=>/#/n/r", "/s", "/#/n/a"),
        ("/#/n/a=>/#/n/b", "/#/n/a", "/#/n/b"),
        ("", "/#/n/a", "/#/n/a"),
        ("", "/s", "~"),
        ("/s=>/#/n;/s/b=>!", "/s/a", "/#/n/a"),
        ("/s=>/#/n;/s/b=>!", "/s/b", "!"),
    ]

    func testLookups() throws {
        for (dtab, path, expected) in Self.lookups {
            XCTAssertEqual(try Support.dtab(dtab).lookup(try Support.path(path)).show, expected, "\(dtab) lookup \(path)")
        }
    }

    func testBindings() throws {
        for (dtab, path, expected) in Self.bindings {
            let resolution = try Support.bind(dtab, path)
            XCTAssertNil(resolution.error, "\(dtab) bind \(path)")
            XCTAssertEqual(resolution.tree.show, expected, "\(dtab) bind \(path)")
        }
    }

    func testThereAreAtLeastSixtyCases() {
        XCTAssertGreaterThanOrEqual(Self.lookups.count + Self.bindings.count, 55)
    }

    func testResidualsAndEndpoints() throws {
        let resolution = try Support.bind("/s=>/#/n", "/s/b/x/y")
        guard case .leaf(let name) = resolution.tree else { return XCTFail("expected a leaf") }
        XCTAssertEqual(name.id.show, "/#/n/b")
        XCTAssertEqual(name.residual.show, "/x/y")
        XCTAssertEqual(name.endpoints.map(\.description), ["10.0.0.2:80", "10.0.0.3:80"])
        let inet = try Support.bind("/s=>/$/inet/127.0.0.1/8080", "/s/rest")
        XCTAssertEqual(inet.tree.leaves.first?.residual.show, "/rest")
        XCTAssertEqual(inet.tree.leaves.first?.endpoints.first, Endpoint(host: "127.0.0.1", port: 8080))
    }

    func testOutcomes() throws {
        XCTAssertEqual(try Support.bind("/s=>/#/n/a", "/s").outcome, .bound)
        XCTAssertEqual(try Support.bind("/s=>~", "/s").outcome, .neg)
        XCTAssertEqual(try Support.bind("/s=>!", "/s").outcome, .fail)
        XCTAssertEqual(try Support.bind("/s=>$", "/s").outcome, .empty)
        XCTAssertEqual(try Support.bind("/s=>/#/n/e", "/s").outcome, .bound, "a bound name with no endpoints is still bound")
    }

    func testLoopIsReportedWithItsNames() throws {
        let resolution = try Support.bind("/a=>/b;/b=>/a", "/a")
        XCTAssertEqual(resolution.outcome, .error(resolution.error!.description))
        XCTAssertTrue(resolution.error!.description.hasPrefix("delegation loop: /a -> /b -> /a"), resolution.error!.description)
        let growing = try Support.bind("/a=>/a/x", "/a")
        XCTAssertTrue(growing.error!.description.contains("/a/x/x/x"), growing.error!.description)
    }

    func testDepthLimitIsOneHundredRewrites() throws {
        func chain(_ length: Int) -> String {
            (0..<length).map { "/p\($0)=>/p\($0 + 1)" }.joined(separator: ";") + ";/p\(length)=>/#/n/a"
        }
        XCTAssertNil(try Support.bind(chain(99), "/p0").error)
        XCTAssertNotNil(try Support.bind(chain(101), "/p0").error)
    }

    func testTraceShowsEveryDentryTried() throws {
        let trace = try Support.bind("/s=>/#/n/a;/s=>/#/n/zz", "/s").trace
        XCTAssertEqual(trace.children.count, 2)
        XCTAssertEqual(trace.children.map(\.outcome), [.neg, .bound])
        let short = try Support.bind("/s=>/#/n/a;/s=>/#/n/b", "/s").trace
        XCTAssertEqual(short.children.map(\.outcome), [.bound, .notReached])
    }

    func testSharesNormaliseNestedWeights() throws {
        let shares = try Support.bind("/s=>3*(/#/n/a & /#/n/b) & /#/n/e", "/s").tree.shares
        XCTAssertEqual(shares.map(\.name.id.show), ["/#/n/a", "/#/n/b", "/#/n/e"])
        XCTAssertEqual(shares.map(\.share), [0.375, 0.375, 0.25])
    }
}
