import RouteLang
import XCTest

// MARK: - LexerTests

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [Token.Kind] {
        Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map(\.kind)
    }

    func texts(_ text: String) -> [String] {
        Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.dropLast().map(\.text)
    }

    func testWordsCoverNumbersDurationsAddressesAndRates() {
        XCTAssertEqual(texts("listen 127.0.0.1:4140 10s 1s..60s 20% 10/s 5xx 502-504 .5 peak-ewma"),
                       ["listen", "127.0.0.1:4140", "10s", "1s..60s", "20%", "10/s", "5xx", "502-504", ".5", "peak-ewma"])
        XCTAssertEqual(kinds("10/s"), [.word, .endOfFile])
    }

    func testIPv6AddressIsOneWord() {
        XCTAssertEqual(texts("listen [::1]:4140"), ["listen", "[::1]:4140"])
    }

    func testPathsKeepWildcardsEscapesAndTemplates() {
        XCTAssertEqual(texts("/a/*/c => /#/disco/\\x66 /svc/{host}/{path:2}"),
                       ["/a/*/c", "=>", "/#/disco/\\x66", "/svc/{host}/{path:2}"])
        XCTAssertEqual(kinds("/$/inet/127.0.0.1/80"), [.path, .endOfFile])
    }

    func testRateSuffixDoesNotEatAPathLabel() {
        // `2/svc` is a weight then a path only with `*`; `10/sx` is not a rate.
        XCTAssertEqual(texts("10/sx"), ["10", "/sx"])
    }

    func testPunctuation() {
        XCTAssertEqual(kinds("{ } ( ) ; , | & * ! ~ $ => == ="),
                       [.leftBrace, .rightBrace, .leftParen, .rightParen, .semicolon, .comma, .pipe, .ampersand,
                        .star, .bang, .tilde, .dollar, .arrow, .equalEqual, .equals, .endOfFile])
    }

    func testWeightStarPathWithoutSpaces() {
        XCTAssertEqual(kinds("0.30*/y&/z"), [.word, .star, .path, .ampersand, .path, .endOfFile])
    }

    func testStringsDecodeEscapes() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: #""a\"b\\c\n\u{41}""#)).tokens
        XCTAssertEqual(tokens[0].kind, .string)
        XCTAssertEqual(tokens[0].text, "a\"b\\c\nA")
    }

    func testCommentsAreKeptWithTheirPlacement() {
        let output = Lexer.tokenize(SourceFile(name: "t", text: "# own line\nidentify host  # trailing\n"))
        XCTAssertEqual(output.comments.map(\.text), ["# own line", "# trailing"])
        XCTAssertEqual(output.comments.map(\.isTrailing), [false, true])
    }

    func testHashInsidePathIsALabelNotAComment() {
        XCTAssertEqual(texts("/#/disco # c"), ["/#/disco"])
    }

    func testLineStartsAreMarked() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "a b\nc")).tokens
        XCTAssertEqual(tokens.map(\.isAtLineStart), [true, false, true, false])
    }

    func testErrorsAreReportedAndLexingContinues() {
        let output = Lexer.tokenize(SourceFile(name: "t", text: "a @ \"open\nb"))
        XCTAssertEqual(output.diagnostics.map(\.code), [.unexpectedCharacter, .unterminatedString])
        XCTAssertEqual(output.tokens.map(\.text).dropLast(), ["a", "open", "b"])
    }

    func testNonASCIIIsOneUnexpectedCharacter() {
        let output = Lexer.tokenize(SourceFile(name: "t", text: "é"))
        XCTAssertEqual(output.diagnostics.first?.message, "unexpected character `é`")
    }
}
