import RouteLang
import XCTest

// MARK: - FormatterTests

final class FormatterTests: XCTestCase {
    func format(_ text: String) -> String {
        Formatter.format(Support.parse(text))
    }

    func testGoldenFile() throws {
        let input = try Support.fixture("fmt/messy.input.routes")
        let golden = try Support.fixture("fmt/messy.golden.routes")
        XCTAssertEqual(format(input), golden)
        XCTAssertEqual(format(golden), golden, "fmt must be idempotent")
        XCTAssertEqual(Compiler.compile(Support.parse(input)), Compiler.compile(Support.parse(golden)))
    }

    func testExamplesAreCanonical() throws {
        for name in Support.exampleNames where name.hasSuffix(".routes") {
            let source = try Support.example(name)
            XCTAssertEqual(format(source.text), source.text, "\(name) is not in canonical form")
        }
    }

    func testCommentsSurviveInPlace() {
        let text = """
            # header

            # about the listener
            listen 127.0.0.1:4140  # trailing
            route a {
              # before when
              when host "a.example.com"
              to /svc/a
              # dangling at the end of the block
            }
            # at the end

            """
        XCTAssertEqual(format(text), text)
    }

    func testCommentsInsideMultiLineItemsBecomeTrailing() {
        let formatted = format("""
            dtab {
              /svc => /a  # first
                | /b;     # second
            }
            """)
        XCTAssertEqual(formatted, "dtab {\n  /svc => /a | /b;  # first  # second\n}\n")
        XCTAssertEqual(format(formatted), formatted)
    }

    func testTrailingCommentsOfConsecutiveLinesAlign() {
        XCTAssertEqual(format("listen 127.0.0.1:4140 # a\nadmin 127.0.0.1:1 # b\n"),
                       "listen 127.0.0.1:4140  # a\nadmin 127.0.0.1:1      # b\n")
    }

    func testBlankLineGroupsCollapseToOne() {
        XCTAssertEqual(format("identify host\n\n\n\nadmin 127.0.0.1:1\n"), "identify host\n\nadmin 127.0.0.1:1\n")
    }

    func testSpellingsArePreserved() {
        XCTAssertEqual(format("defaults { timeout 1000ms\nretry on 5xx budget 12.5% }"),
                       "defaults {\n  timeout 1000ms\n  retry on 5xx budget 12.5%\n}\n")
        XCTAssertEqual(format("dtab { /a => .5 * /b & /c; }"), "dtab {\n  /a => .5 * /b & /c;\n}\n")
    }

    func testStringsAreRequoted() {
        XCTAssertEqual(format(#"route r { when header "x" == "a\"b\\c" "# + "\n" + #"to /svc/r }"#),
                       "route r {\n  when header \"x\" == \"a\\\"b\\\\c\"\n  to /svc/r\n}\n")
    }
}
