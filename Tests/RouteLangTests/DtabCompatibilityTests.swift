import RouteLang
import XCTest

// MARK: - DtabCompatibilityTests

/// Finagle `NameTreeParsers` and `show` compatibility: the expected strings
/// are what Finagle (Linkerd 1.7) prints for the same input.
final class DtabCompatibilityTests: XCTestCase {
    func show(_ dtab: String) throws -> String {
        try DtabParser.parseDtab(dtab).get().show
    }

    func tree(_ text: String) throws -> String {
        try DtabParser.parseTree(text).get().show
    }

    func testDentryShowForms() throws {
        XCTAssertEqual(try show("/=>!"), "/=>!")
        XCTAssertEqual(try show("/ => !"), "/=>!")
        XCTAssertEqual(try show("/foo/*/bar => !"), "/foo/*/bar=>!")
        XCTAssertEqual(try show("/a/*/c => /d"), "/a/*/c=>/d")
        XCTAssertEqual(try show("/foo/bar/baz => !"), "/foo/bar/baz=>!")
    }

    func testDtabSeparatorsAndTrailingSemicolon() throws {
        XCTAssertEqual(try show(""), "")
        XCTAssertEqual(try show("  /=>!  "), "/=>!")
        XCTAssertEqual(try show("/=>!;"), "/=>!")
        XCTAssertEqual(try show("/=>!;/foo=>/bar"), "/=>!;/foo=>/bar")
        XCTAssertEqual(try show("/s => /a;\n/t => /b;"), "/s=>/a;/t=>/b")
    }

    /// Finagle's `parseDtab` only ever reads `;` after a dentry: `;;`, a
    /// leading `;`, `;` alone and `;;` at the end are errors ("'/' expected
    /// but ';' found"), here with the column of the extra `;`.
    func testEmptyDentriesAreRejectedAsFinagleDoes() {
        let cases = [("/a=>/b;;/c=>/d", 8), (";", 1), (";/a=>/b", 1), ("/a=>/b;;", 8), ("/a=>/b; ;", 9), ("/a=>/b;\n;\n/c=>/d", 1)]
        for (input, column) in cases {
            guard case .failure(let error) = DtabParser.parseDtab(input) else {
                XCTFail("`\(input)` should not parse")
                continue
            }
            XCTAssertEqual(error.description, "column \(column): empty dentry: `;` with no dentry before it", input)
        }
        XCTAssertEqual(try? show("/a=>/b ;"), "/a=>/b", "whitespace before the one trailing `;` is fine")
    }

    func testCommentsAreWhitespace() throws {
        XCTAssertEqual(try show("# comment\n/a => /b # more\n;/c => /d"), "/a=>/b;/c=>/d")
    }

    func testWeightsPrintWithTwoDecimalsAndDefaultWeightIsOmitted() throws {
        XCTAssertEqual(try tree("1 * /foo & 2 * /bar | .5 * /baz"), "/foo & 2.00*/bar | /baz")
        XCTAssertEqual(try tree("1 * /foo & 2 * /bar | .5 * /bar & .5 * /baz"), "/foo & 2.00*/bar | 0.50*/bar & 0.50*/baz")
        XCTAssertEqual(try tree("0.333 * /a & 0.667 * /b"), "0.33*/a & 0.67*/b")
        XCTAssertEqual(try tree("0.95*/#/disco/users-v1&0.05*/#/disco/users-v2"), "0.95*/#/disco/users-v1 & 0.05*/#/disco/users-v2")
    }

    func testWeightsRoundHalfUpLikeJava() {
        XCTAssertEqual(WeightFormat.twoDecimals(0.125), "0.13")
        XCTAssertEqual(WeightFormat.twoDecimals(1.005), "1.01")
        XCTAssertEqual(WeightFormat.twoDecimals(0.995), "1.00")
        XCTAssertEqual(WeightFormat.twoDecimals(9.999), "10.00")
        XCTAssertEqual(WeightFormat.twoDecimals(2), "2.00")
        XCTAssertEqual(WeightFormat.twoDecimals(0.1), "0.10")
    }

    func testAlternationUnionAndParentheses() throws {
        XCTAssertEqual(try tree("/foo & /bar | /bar & /baz"), "/foo & /bar | /bar & /baz")
        XCTAssertEqual(try tree("! | ~ | $"), "! | ~ | $")
        XCTAssertEqual(try tree("(/a | /b) & /c"), "(/a | /b) & /c")
        XCTAssertEqual(try tree("/a | (/b | /c)"), "/a | (/b | /c)")
        XCTAssertEqual(try tree("(/a & /b) & /c"), "(/a & /b) & /c")
        XCTAssertEqual(try tree("((/a))"), "/a")
        XCTAssertEqual(try tree("2 * (/a | /b) & /c"), "2.00*(/a | /b) & /c")
    }

    func testParsedStructureMatchesFinagle() throws {
        let parsed = try DtabParser.parseTree("/foo & /bar | /baz | $").get()
        XCTAssertEqual(parsed, .alt([.union([.init(1, .leaf(Path("foo"))), .init(1, .leaf(Path("bar")))]),
                                     .leaf(Path("baz")), .empty]))
        // A lone weighted branch is just its tree, as in Finagle's parseTree1.
        XCTAssertEqual(try DtabParser.parseTree(".5 * /baz").get(), .leaf(Path("baz")))
    }

    func testPathsEscapesAndShow() throws {
        XCTAssertEqual(try DtabParser.parsePath("/").get(), Path.empty)
        XCTAssertEqual(try DtabParser.parsePath("  /foo/bar  ").get(), Path("foo", "bar"))
        XCTAssertEqual(try DtabParser.parsePath("/\\x66\\x6f\\x6F").get(), Path("foo"))
        XCTAssertEqual(Path("a b", "c").show, "/a\\x20b/c")
        XCTAssertEqual(try tree("/a\\x20b"), "/a\\x20b")
        XCTAssertEqual(Path("#", "disco", "$", "x:y.z_%-").show, "/#/disco/$/x:y.z_%-")
    }

    func testShowRoundTripsThroughTheParser() throws {
        let inputs = ["/s => 1 * /a & 2 * /b | (/c | ~) & 0.5 * $", "/a/*/c => ! | /d", "/=>/x\\x2fy", "/x => (/a & /b) | !"]
        for input in inputs {
            let first = try DtabParser.parseDtab(input).get()
            XCTAssertEqual(try DtabParser.parseDtab(first.show).get().show, first.show, input)
        }
    }

    func testInvalidInputsAreRejectedWithAColumn() {
        let invalidTrees = ["", "#", "/foo &", "/foo & 0.1.2 * /bar", "/foo & . * /bar", "/{}", "/foo^bar", "/a |", "(/a", "/a)"]
        for input in invalidTrees {
            guard case .failure(let error) = DtabParser.parseTree(input) else {
                XCTFail("`\(input)` should not parse")
                continue
            }
            XCTAssertTrue(error.description.hasPrefix("column "), error.description)
        }
        for input in ["/foo/bar/", "/\\?", "/\\x?", "/\\x0?", ""] {
            if case .success = DtabParser.parsePath(input) { XCTFail("path `\(input)` should not parse") }
        }
        for input in ["/foo/*bar/baz => !", "/&!", "/a => ", "a => /b", "/a = > /b"] {
            if case .success = DtabParser.parseDtab(input) { XCTFail("dtab `\(input)` should not parse") }
        }
    }

    func testErrorNamesTheColumnAndWhatWasExpected() {
        guard case .failure(let error) = DtabParser.parseDtab("/a => /b; /c /d") else { return XCTFail("should fail") }
        XCTAssertEqual(error.description, "column 14: expected `=>` after the dentry prefix, found path `/d`")
    }
}
