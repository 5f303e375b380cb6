import Yams

// MARK: - YAMLFrontEnd

/// Reads the YAML form of RouteLang (via libyaml) into the same AST the
/// RouteLang parser builds, so one checker, compiler and formatter serve
/// both. Diagnostics point at YAML line:column; an unknown key is an error
/// with did-you-mean help.
public enum YAMLFrontEnd {
    public static func parse(_ source: SourceFile, errorLimit: Int? = nil) -> (RuleFile, Diagnostics) {
        var reader = YAMLReader(source: source, errorLimit: errorLimit)
        do {
            if let root = try Yams.compose(yaml: source.text) {
                reader.readRoot(root)
            }
        } catch let error as YamlError {
            reader.reportSyntax(error)
        } catch {
            reader.parser.error(.yamlSyntax, "cannot read YAML: \(error)", at: SourceRange(start: 0, end: 0))
        }
        return (RuleFile(source: source, statements: reader.statements, comments: []), reader.parser.diagnostics)
    }
}

// MARK: - YAMLReader

/// Walks the YAML node tree. It owns a `Parser` (with no tokens) to reuse
/// the RouteLang path, template and dtab parsers and their diagnostics.
struct YAMLReader {
    let source: SourceFile
    var parser: Parser
    var statements: [Statement] = []

    init(source: SourceFile, errorLimit: Int?) {
        self.source = source
        let end = Token(kind: .endOfFile, text: "", range: SourceRange(start: source.bytes.count, end: source.bytes.count),
                        isAtLineStart: true)
        self.parser = Parser(source: source, tokens: [end], diagnostics: Diagnostics(errorLimit: errorLimit))
    }

    mutating func reportSyntax(_ error: YamlError) {
        var mark: Mark?
        var problem = String(describing: error)
        switch error {
        case .scanner(_, let text, let at, _), .parser(_, let text, let at, _), .composer(_, let text, let at, _):
            mark = at
            problem = text
        case .duplicatedKeysInMapping(let duplicates, let context):
            mark = context.mark
            problem = "duplicate key " + duplicates.map { "`\($0)`" }.joined(separator: ", ")
        default:
            break
        }
        let offset = mark.map { source.offset(line: $0.line, column: $0.column) } ?? 0
        parser.error(.yamlSyntax, "invalid YAML: \(problem)", at: SourceRange(start: offset, end: offset + 1))
    }

    // MARK: Node helpers

    func range(of node: Node) -> SourceRange {
        guard let mark = node.mark else { return SourceRange(start: 0, end: 0) }
        let start = source.offset(line: mark.line, column: mark.column)
        if case .scalar(let scalar) = node {
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            let length = scalar.style == .literal || scalar.style == .folded ? 1 : scalar.string.utf8.count + (quoted ? 2 : 0)
            return SourceRange(start: start, end: start + max(1, length))
        }
        return SourceRange(start: start, end: start + 1)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "`\(scalar.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    mutating func wrongType(_ node: Node, expected: String) {
        parser.error(.yamlWrongType, "expected \(expected), found \(describe(node))", at: range(of: node))
    }

    /// The pairs of a mapping, reporting unknown keys (with did-you-mean) and non-string keys.
    mutating func mapping(_ node: Node, _ what: String, allowed: [String]) -> [(key: String, keyRange: SourceRange, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            wrongType(node, expected: "a mapping for \(what)")
            return nil
        }
        var pairs: [(key: String, keyRange: SourceRange, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                wrongType(keyNode, expected: "a key")
                continue
            }
            guard allowed.contains(key.string) else {
                parser.error(.yamlUnknownKey, "unknown key `\(key.string)` in \(what)", at: range(of: keyNode),
                             help: Suggestion.help(for: key.string, among: allowed)
                                ?? "allowed keys: " + allowed.joined(separator: ", "))
                continue
            }
            pairs.append((key.string, range(of: keyNode), value))
        }
        return pairs
    }

    mutating func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            wrongType(node, expected: "a list of \(what)")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node, _ what: String) -> Spanned<String>? {
        guard case .scalar(let scalar) = node else {
            wrongType(node, expected: what)
            return nil
        }
        return Spanned(scalar.string, text: scalar.string, range: range(of: node))
    }

    mutating func value<T>(_ node: Node, _ what: String, code: DiagnosticCode,
                           _ parse: (String) -> LiteralParser.Outcome<T>) -> Spanned<T>? {
        guard let text = string(node, what) else { return nil }
        let token = Token(kind: .word, text: text.value, range: text.range, isAtLineStart: false)
        return parser.literal(token, code: code, parse)
    }

    mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = string(node, "true or false for \(what)") else { return nil }
        switch text.value {
        case "true": return true
        case "false": return false
        default:
            parser.error(.yamlWrongType, "expected true or false for \(what), found `\(text.value)`", at: text.range)
            return nil
        }
    }

    mutating func require<T>(_ value: T?, _ key: String, in what: String, at node: Node) -> T? {
        if value == nil {
            parser.error(.yamlMissingKey, "\(what) needs `\(key)`", at: range(of: node))
        }
        return value
    }

    /// A RouteLang path token made from a scalar, for the shared path scanner.
    func pathToken(_ text: Spanned<String>) -> Token {
        Token(kind: .path, text: text.value, range: text.range, isAtLineStart: false)
    }

    mutating func plainPath(_ node: Node, _ what: String) -> Spanned<Path>? {
        guard let text = string(node, what) else { return nil }
        guard text.value.hasPrefix("/") else {
            parser.error(.invalidPath, "expected \(what) starting with `/`, found `\(text.value)`", at: text.range)
            return nil
        }
        return parser.parsePlainPath(pathToken(text))
    }

    mutating func template(_ node: Node, _ what: String) -> Spanned<PathTemplate>? {
        guard let text = string(node, what) else { return nil }
        guard text.value.hasPrefix("/") else {
            parser.error(.invalidPath, "expected \(what) starting with `/`, found `\(text.value)`", at: text.range)
            return nil
        }
        parser.tokens = [pathToken(text), parser.tokens[parser.tokens.count - 1]]
        parser.position = 0
        return parser.parseTemplate()
    }
}
