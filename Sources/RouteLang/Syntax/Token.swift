// MARK: - Token

/// One lexical token with its byte range.
///
/// RouteLang keeps the token set small: keywords, numbers, durations,
/// addresses and names are all `word`s and the parser gives them meaning in
/// context. That keeps the lexer total (it never fails) and lets the dtab
/// sublanguage share the same tokens.
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A run of `[A-Za-z0-9_.:%-]` (plus `[v6]:port` and a `/s` rate suffix).
        case word
        /// A double-quoted string; `text` holds the decoded value.
        case string
        /// A `/`-path, possibly with `*` elements, `\xHH` escapes and `{var}` templates; `text` is raw.
        case path
        case leftBrace, rightBrace, leftParen, rightParen
        case semicolon, comma, pipe, ampersand, star, bang, tilde, dollar
        /// `=>` (dentry arrow).
        case arrow
        /// `==` (header/query equality).
        case equalEqual
        /// `=` (namer declaration).
        case equals
        case endOfFile
    }

    public var kind: Kind
    public var text: String
    public var range: SourceRange
    /// True for the first token on its line: the parser resynchronises on line starts.
    public var isAtLineStart: Bool

    public init(kind: Kind, text: String, range: SourceRange, isAtLineStart: Bool) {
        self.kind = kind
        self.text = text
        self.range = range
        self.isAtLineStart = isAtLineStart
    }

    /// Whether this token is the word `keyword`.
    public func isWord(_ keyword: String) -> Bool {
        kind == .word && text == keyword
    }
}

extension Token.Kind {
    /// How the parser names this kind in "expected …" messages.
    public var spelling: String {
        switch self {
        case .word: return "a word"
        case .string: return "a string"
        case .path: return "a path"
        case .leftBrace: return "`{`"
        case .rightBrace: return "`}`"
        case .leftParen: return "`(`"
        case .rightParen: return "`)`"
        case .semicolon: return "`;`"
        case .comma: return "`,`"
        case .pipe: return "`|`"
        case .ampersand: return "`&`"
        case .star: return "`*`"
        case .bang: return "`!`"
        case .tilde: return "`~`"
        case .dollar: return "`$`"
        case .arrow: return "`=>`"
        case .equalEqual: return "`==`"
        case .equals: return "`=`"
        case .endOfFile: return "end of file"
        }
    }
}

// MARK: - Comment

/// A `#` comment, kept so that `fmt` can put it back.
public struct Comment: Sendable, Hashable {
    /// The comment text including the leading `#`, without the newline.
    public var text: String
    public var range: SourceRange
    /// True when code precedes the comment on its line (a trailing comment).
    public var isTrailing: Bool
}
