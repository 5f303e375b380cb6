// MARK: - Lexer

/// Turns a `SourceFile` into tokens and comments. It never throws: an
/// unexpected character becomes a diagnostic and is skipped, so the parser
/// always sees a complete token stream ending in `endOfFile`.
public struct Lexer {
    public struct Output: Sendable {
        public var tokens: [Token]
        public var comments: [Comment]
        public var diagnostics: [Diagnostic]
    }

    private let source: SourceFile
    private let bytes: [UInt8]
    private var index = 0
    private var tokens: [Token] = []
    private var comments: [Comment] = []
    private var diagnostics: [Diagnostic] = []
    private var lineHasToken = false

    public init(source: SourceFile) {
        self.source = source
        self.bytes = source.bytes
    }

    /// Lexes the whole file.
    public static func tokenize(_ source: SourceFile) -> Output {
        var lexer = Lexer(source: source)
        return lexer.run()
    }

    mutating func run() -> Output {
        tokens.reserveCapacity(bytes.count / 4 + 1)
        while true {
            skipWhitespace()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") {
                lexComment()
            } else if byte == UInt8(ascii: "\"") {
                lexString()
            } else if byte == UInt8(ascii: "/") {
                lexPath()
            } else if Self.isWordStart(byte) {
                lexWord()
            } else if !lexPunctuation(byte) {
                let start = index
                let scalarLength = Self.utf8Length(of: byte)
                index = min(bytes.count, index + scalarLength)
                let shown = source.text(of: SourceRange(start: start, end: index))
                diagnostics.append(Diagnostic(.unexpectedCharacter, "unexpected character `\(shown)`",
                                              at: SourceRange(start: start, end: index)))
            }
        }
        emit(.endOfFile, text: "", from: bytes.count)
        return Output(tokens: tokens, comments: comments, diagnostics: diagnostics)
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                lineHasToken = false
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            default:
                return
            }
        }
    }

    private mutating func emit(_ kind: Token.Kind, text: String, from start: Int) {
        tokens.append(Token(kind: kind, text: text, range: SourceRange(start: start, end: index),
                            isAtLineStart: !lineHasToken))
        lineHasToken = true
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    static func isWordStart(_ byte: UInt8) -> Bool {
        isAlphaNumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "[")
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        isAlphaNumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "-")
    }

    /// Finagle's label characters: ASCII letters, digits and `_ : . # $ % -`.
    public static func isLabelByte(_ byte: UInt8) -> Bool {
        isAlphaNumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "$")
            || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "-")
    }

    static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func utf8Length(of leadByte: UInt8) -> Int {
        switch leadByte {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }

    // MARK: Comments

    private mutating func lexComment() {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        var end = index
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")
            || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let range = SourceRange(start: start, end: end)
        comments.append(Comment(text: source.text(of: range), range: range, isTrailing: lineHasToken))
    }

    // MARK: Words

    private mutating func lexWord() {
        let start = index
        if bytes[index] == UInt8(ascii: "[") {
            // An IPv6 literal such as `[::1]:4140`.
            index += 1
            while let byte = peek(), byte != UInt8(ascii: "]"), byte != UInt8(ascii: "\n") { index += 1 }
            if peek() == UInt8(ascii: "]") { index += 1 }
        }
        while let byte = peek(), Self.isWordByte(byte) { index += 1 }
        // A rate such as `10/s`: a number directly followed by `/s` that is not a path label.
        if Self.isDigit(bytes[start]), peek() == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "s"),
           peek(2).map({ !Self.isLabelByte($0) }) ?? true {
            index += 2
        }
        emit(.word, text: source.text(of: SourceRange(start: start, end: index)), from: start)
    }

    // MARK: Strings

    private mutating func lexString() {
        let start = index
        index += 1
        var value = ""
        var segmentStart = index
        func flush(_ lexer: Lexer, upTo end: Int) -> String {
            String(decoding: lexer.bytes[segmentStart..<end], as: UTF8.self)
        }
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else {
                value += flush(self, upTo: index)
                diagnostics.append(Diagnostic(.unterminatedString, "unterminated string",
                                              at: SourceRange(start: start, end: index),
                                              help: "close the string with `\"` on the same line"))
                emit(.string, text: value, from: start)
                return
            }
            if byte == UInt8(ascii: "\"") {
                value += flush(self, upTo: index)
                index += 1
                emit(.string, text: value, from: start)
                return
            }
            if byte == UInt8(ascii: "\\") {
                value += flush(self, upTo: index)
                value += lexEscape()
                segmentStart = index
                continue
            }
            index += 1
        }
    }

    /// One escape after a backslash: `\\ \" \n \t \r \u{HEX}`.
    private mutating func lexEscape() -> String {
        let start = index
        index += 1
        guard let byte = peek(), byte != UInt8(ascii: "\n") else { return "" }
        index += 1
        switch byte {
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "u") where peek() == UInt8(ascii: "{"):
            index += 1
            let hexStart = index
            while let digit = peek(), digit != UInt8(ascii: "}"), digit != UInt8(ascii: "\""),
                  digit != UInt8(ascii: "\n") { index += 1 }
            let hex = String(decoding: bytes[hexStart..<index], as: UTF8.self)
            if peek() == UInt8(ascii: "}") { index += 1 }
            if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                return String(Character(scalar))
            }
        default:
            break
        }
        diagnostics.append(Diagnostic(.invalidStringEscape,
                                       "invalid escape `\(source.text(of: SourceRange(start: start, end: index)))` in string",
                                       at: SourceRange(start: start, end: index),
                                       help: "valid escapes are \\\\ \\\" \\n \\t \\r and \\u{HEX}"))
        return ""
    }

    // MARK: Paths

    /// A path: `/` followed by label bytes, `*`, `\` escapes, `{…}` templates
    /// and further `/`. Validation happens in the parser, which knows whether
    /// a wildcard or a template is allowed where the path stands.
    private mutating func lexPath() {
        let start = index
        while let byte = peek() {
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "*") || Self.isLabelByte(byte) {
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                index += 1
                if let next = peek(), next != UInt8(ascii: "\n"), next != UInt8(ascii: " ") { index += 1 }
            } else if byte == UInt8(ascii: "{") {
                let braceStart = index
                while let inner = peek(), inner != UInt8(ascii: "}"), inner != UInt8(ascii: "\n"),
                      inner != UInt8(ascii: " ") { index += 1 }
                if peek() == UInt8(ascii: "}") {
                    index += 1
                } else {
                    diagnostics.append(Diagnostic(.unterminatedTemplate, "unterminated template variable",
                                                  at: SourceRange(start: braceStart, end: index),
                                                  help: "close the variable with `}`"))
                }
            } else {
                break
            }
        }
        emit(.path, text: source.text(of: SourceRange(start: start, end: index)), from: start)
    }

    // MARK: Punctuation

    private mutating func lexPunctuation(_ byte: UInt8) -> Bool {
        let start = index
        let kind: Token.Kind
        var length = 1
        switch byte {
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "|"): kind = .pipe
        case UInt8(ascii: "&"): kind = .ampersand
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "!"): kind = .bang
        case UInt8(ascii: "~"): kind = .tilde
        case UInt8(ascii: "$"): kind = .dollar
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: ">") {
                kind = .arrow
                length = 2
            } else if peek(1) == UInt8(ascii: "=") {
                kind = .equalEqual
                length = 2
            } else {
                kind = .equals
            }
        default:
            return false
        }
        index += length
        emit(kind, text: length == 1 ? String(Unicode.Scalar(byte)) : (kind == .arrow ? "=>" : "=="), from: start)
        return true
    }
}
