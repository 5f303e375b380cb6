// MARK: - DtabParser

/// Parses standalone Finagle text (`l5d-dtab` headers, `switchyard dtab …`)
/// with the same parser RouteLang uses inside `dtab { }`, so both accept
/// exactly the same language and report errors the same way.
public enum DtabParser {
    /// A dtab: `dentry ; dentry ; …` (one trailing `;` allowed).
    public static func parseDtab(_ text: String, name: String = "<dtab>") -> Result<Dtab, DtabSyntaxError> {
        run(text, name: name) { parser in
            Dtab(parser.parseDentries(until: .endOfFile).map(\.dentry))
        }
    }

    /// A name tree such as `1 * /foo & 2 * /bar | /baz`.
    public static func parseTree(_ text: String, name: String = "<tree>") -> Result<NameTree<Path>, DtabSyntaxError> {
        run(text, name: name) { parser in
            let tree = parser.parseTree()
            if !parser.atEnd, !parser.diagnostics.hasErrors {
                parser.error(.expectedToken, "expected `|`, `&` or end of input, found \(parser.describe(parser.current))",
                             at: parser.current.range)
            }
            return tree?.nameTree ?? .neg
        }
    }

    /// A path such as `/svc/users` (no wildcards, no templates).
    public static func parsePath(_ text: String, name: String = "<path>") -> Result<Path, DtabSyntaxError> {
        run(text, name: name) { parser in
            guard let token = parser.expect(.path, "(a path such as `/svc/users`)") else { return .empty }
            let path = parser.parsePlainPath(token)?.value ?? .empty
            if !parser.atEnd, !parser.diagnostics.hasErrors {
                parser.error(.expectedToken, "expected end of input after the path, found \(parser.describe(parser.current))",
                             at: parser.current.range)
            }
            return path
        }
    }

    private static func run<T>(_ text: String, name: String, _ body: (inout Parser) -> T) -> Result<T, DtabSyntaxError> {
        let source = SourceFile(name: name, text: text)
        let lexed = Lexer.tokenize(source)
        var parser = Parser(source: source, tokens: lexed.tokens, diagnostics: Diagnostics())
        parser.diagnostics.append(contentsOf: lexed.diagnostics)
        if text.allSatisfy(\.isWhitespace), T.self != Dtab.self {
            parser.error(.expectedToken, "empty input", at: SourceRange(start: 0, end: 0))
        }
        let value = body(&parser)
        if parser.diagnostics.hasErrors {
            return .failure(DtabSyntaxError(source: source, diagnostics: parser.diagnostics.items.filter(\.isError)))
        }
        return .success(value)
    }
}

// MARK: - DtabSyntaxError

/// Why a dtab, tree or path did not parse, with positions in the text.
public struct DtabSyntaxError: Error, Sendable, CustomStringConvertible {
    public var source: SourceFile
    public var diagnostics: [Diagnostic]

    /// The first error as `column N: message`, the form `l5d-err` and the CLI use.
    public var description: String {
        guard let first = diagnostics.first else { return "invalid input" }
        return "column \(source.location(of: first.range.start).column): \(first.message)"
    }
}
