import Engine
import RouteLang
import XCTest

// MARK: - NameTreeEvaluationTests

/// Finagle `NameTree.simplified` and `eval` semantics on parsed trees.
final class NameTreeEvaluationTests: XCTestCase {
    func tree(_ text: String) throws -> NameTree<Path> {
        try DtabParser.parseTree(text).get()
    }

    func simplified(_ text: String) throws -> String {
        try tree(text).simplified.show
    }

    func eval(_ text: String) throws -> Set<String>? {
        try tree(text).eval().map { Set($0.map(\.show)) }
    }

    func testSimplifyDropsNegAndCollapsesSingletons() throws {
        XCTAssertEqual(try simplified("~ | /a"), "/a")
        XCTAssertEqual(try simplified("~ | ~"), "~")
        XCTAssertEqual(try simplified("/a | ! | /b"), "/a | !")
        XCTAssertEqual(try simplified("/a & ~"), "/a")
        XCTAssertEqual(try simplified("/a & !"), "/a")
        XCTAssertEqual(try simplified("~ & !"), "~")
        XCTAssertEqual(try simplified("2 * /a & 3 * (~ | /b)"), "2.00*/a & 3.00*/b")
        XCTAssertEqual(try simplified("$ | /a"), "$ | /a")
    }

    func testSimplifyIsAFixpoint() throws {
        for text in ["(~ | /a) & (/b | !) | $", "((/a & ~) | (~ | /c)) & 2 * /d", "~ | (! | /x)"] {
            let once = try tree(text).simplified
            XCTAssertEqual(once.simplified, once, text)
            XCTAssertEqual(once.eval(), try tree(text).eval(), "simplify must not change evaluation: \(text)")
        }
    }

    func testAlternationTakesTheFirstNonNegBranch() throws {
        XCTAssertEqual(try eval("~ | /a | /b"), ["/a"])
        XCTAssertEqual(try eval("$ | /a"), [])
        XCTAssertNil(try eval("! | /a"))
        XCTAssertNil(try eval("~ | ~"))
    }

    func testUnionJoinsBranchesAndDropsFailures() throws {
        XCTAssertEqual(try eval("/a & /b & 2 * /c"), ["/a", "/b", "/c"])
        XCTAssertEqual(try eval("/a & ! & ~"), ["/a"])
        XCTAssertNil(try eval("! & ~"))
        XCTAssertEqual(try eval("$ & ~"), [])
    }

    func testEvaluationDistinguishesNegFromFail() throws {
        XCTAssertEqual(try tree("~").evaluation, .neg)
        XCTAssertEqual(try tree("!").evaluation, .fail)
        XCTAssertEqual(try tree("(~ | !) | /a").evaluation, .fail)
    }
}
