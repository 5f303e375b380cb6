// MARK: - Parser

/// A hand-written recursive-descent parser for RouteLang
/// (`grammar/routelang.ebnf` is the source of truth; each parse function
/// quotes the rule it implements).
///
/// Error handling follows go/parser: every error is recorded with its
/// position, the parser resynchronises at the next line that starts a
/// statement or block item, and parsing goes on, so one run reports every
/// error in the file (up to the cap in `Diagnostics`).
public struct Parser {
    let source: SourceFile
    var tokens: [Token]
    var position = 0
    var diagnostics: Diagnostics

    init(source: SourceFile, tokens: [Token], diagnostics: Diagnostics) {
        self.source = source
        self.tokens = tokens
        self.diagnostics = diagnostics
    }

    /// Parses a whole rule file. Lexical and syntax diagnostics are returned
    /// together; the AST holds every statement that parsed.
    public static func parse(_ source: SourceFile, errorLimit: Int? = nil) -> (RuleFile, Diagnostics) {
        let lexed = Lexer.tokenize(source)
        var diagnostics = Diagnostics(errorLimit: errorLimit)
        diagnostics.append(contentsOf: lexed.diagnostics)
        var parser = Parser(source: source, tokens: lexed.tokens, diagnostics: diagnostics)
        let statements = parser.parseFile()
        return (RuleFile(source: source, statements: statements, comments: lexed.comments), parser.diagnostics)
    }

    // MARK: Token cursor

    var current: Token { tokens[position] }

    func peek(_ offset: Int = 1) -> Token {
        tokens[min(position + offset, tokens.count - 1)]
    }

    var atEnd: Bool { current.kind == .endOfFile }

    /// The range of the token before the current one (the end of what was parsed).
    var previousRange: SourceRange {
        position > 0 ? tokens[position - 1].range : current.range
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func consume(_ kind: Token.Kind) -> Token? {
        guard current.kind == kind else { return nil }
        return advance()
    }

    mutating func consumeWord(_ keyword: String) -> Token? {
        guard current.isWord(keyword) else { return nil }
        return advance()
    }

    /// Consumes a token of `kind` or reports "expected …, found …" without advancing.
    /// The descriptions are autoclosures: several are lists joined at each
    /// call, which cost a tenth of parsing when built for every token.
    mutating func expect(_ kind: Token.Kind, _ context: @autoclosure () -> String, code: DiagnosticCode = .expectedToken) -> Token? {
        if let token = consume(kind) { return token }
        error(code, "expected \(kind.spelling) \(context()), found \(describe(current))", at: current.range)
        return nil
    }

    /// Consumes a word or reports what was expected.
    mutating func expectWord(_ what: @autoclosure () -> String) -> Token? {
        if current.kind == .word { return advance() }
        error(.expectedToken, "expected \(what()), found \(describe(current))", at: current.range)
        return nil
    }

    /// Consumes the word `keyword` or reports that it was expected after `context`.
    mutating func expectKeyword(_ keyword: String, after context: String) -> Bool {
        if consumeWord(keyword) != nil { return true }
        error(.expectedToken, "expected `\(keyword)` after `\(context)`, found \(describe(current))", at: current.range,
              help: "write `tls cert \"FILE\" key \"FILE\"`")
        return false
    }

    /// Consumes a string or reports what was expected.
    mutating func expectString(_ what: @autoclosure () -> String) -> Spanned<String>? {
        if current.kind == .string {
            let token = advance()
            return Spanned(token.text, text: source.text(of: token.range), range: token.range)
        }
        error(.expectedToken, "expected \(what()) (a quoted string), found \(describe(current))", at: current.range)
        return nil
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .word: return "`\(token.text)`"
        case .string: return "string \"\(token.text)\""
        case .path: return "path `\(token.text)`"
        case .endOfFile: return "end of file"
        default: return token.kind.spelling
        }
    }

    // MARK: Diagnostics

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                        notes: [Diagnostic.Note] = [], help: String? = nil) {
        diagnostics.error(code, message, at: range, notes: notes, help: help)
    }

    /// Parses a literal with `LiteralParser`, reporting its error at the token.
    mutating func literal<T>(_ token: Token, code: DiagnosticCode,
                             _ parse: (String) -> LiteralParser.Outcome<T>) -> Spanned<T>? {
        switch parse(token.text) {
        case .success(let value):
            return Spanned(value, text: token.text, range: token.range)
        case .failure(let failure):
            error(failure.code ?? code, failure.message, at: token.range, help: failure.help)
            return nil
        }
    }

    /// Reads the next word and parses it as a literal.
    mutating func wordLiteral<T>(_ what: String, code: DiagnosticCode,
                                 _ parse: (String) -> LiteralParser.Outcome<T>) -> Spanned<T>? {
        guard let token = expectWord(what) else { return nil }
        return literal(token, code: code, parse)
    }

    // MARK: Recovery

    /// Skips to the start of the line after the last token read (outside
    /// nested braces), or to a `}` that closes the enclosing block, or to the
    /// end of the file.
    mutating func recoverToNextLine() {
        let startLine = source.location(of: previousRange.start).line
        var depth = 0
        while !atEnd {
            if depth == 0, current.kind == .rightBrace { return }
            if depth == 0, current.isAtLineStart, source.location(of: current.range.start).line > startLine { return }
            if current.kind == .leftBrace { depth += 1 }
            if current.kind == .rightBrace { depth -= 1 }
            advance()
        }
    }

    /// Skips to the next line that starts a statement: a statement keyword
    /// at the start of a line, or any word in column 1 (most likely a
    /// misspelt statement, which is then reported too).
    mutating func recoverToStatement() {
        var depth = 0
        advance()
        while !atEnd {
            if current.kind == .leftBrace { depth += 1 }
            if current.kind == .rightBrace { depth = max(0, depth - 1) }
            if depth == 0, current.isAtLineStart, current.kind == .word,
               Statement.keywords.contains(current.text) || source.location(of: current.range.start).column == 1 {
                return
            }
            advance()
        }
    }

    /// True when the current token is on a later line than `range` and starts it:
    /// the end of a line-oriented item.
    func startsNewLine(after range: SourceRange) -> Bool {
        current.isAtLineStart && current.range.start > range.end
    }

    // MARK: Blocks

    /// Parses `{ item* }`, calling `parseItem` for each item and recovering
    /// to the next line after a failed one. Returns the closing range.
    /// A list item on the same line right after another, with no `,`
    /// between: reported with the list as it was meant, then read as if
    /// the `,` were there.
    mutating func missingComma(before isItem: (String) -> Bool, after previous: String) -> Bool {
        guard current.kind == .word, !current.isAtLineStart, isItem(current.text) else { return false }
        error(.missingComma, "missing `,` between `\(previous)` and `\(current.text)`", at: previousRange.through(current.range),
              help: "did you mean `\(previous), \(current.text)`?")
        return true
    }

    /// A statement keyword at the start of a line inside a block: the block
    /// was left open. Items of the block that share a keyword (`dtab` in a
    /// route) are not taken for one.
    func startsStatement(in what: String) -> Bool {
        current.kind == .word && current.isAtLineStart && Statement.keywords.contains(current.text)
            && !(what == "route" && current.text == "dtab")
    }

    mutating func parseBlock(_ what: String, opening: SourceRange, parseItem: (inout Parser) -> Bool) -> SourceRange {
        while !atEnd, current.kind != .rightBrace {
            // Reported once, where the block opens, instead of as a cascade
            // of misplaced items: the next statement is read as one.
            if startsStatement(in: what) {
                error(.unclosedBlock, "\(what) block is not closed", at: opening,
                      notes: [Diagnostic.Note("`\(current.text)` starts the next statement here", at: current.range)],
                      help: "add `}` before line \(source.location(of: current.range.start).line)")
                return previousRange
            }
            let before = position
            if !parseItem(&self) || position == before {
                if position == before { advance() }
                recoverToNextLine()
            }
        }
        if let close = consume(.rightBrace) { return close.range }
        error(.unclosedBlock, "\(what) block is not closed", at: opening,
              notes: [Diagnostic.Note("the file ends here", at: current.range)], help: "add `}` at the end")
        return previousRange
    }
}
