// MARK: - Dtab sublanguage (Finagle syntax)

extension Parser {
    /// `dtab_block = "dtab" "{" [ dentry { ";" dentry } [ ";" ] ] "}" ;`
    mutating func parseDtabBlock() -> DtabBlock? {
        let keyword = advance()
        guard let open = expect(.leftBrace, "after `dtab`") else { return nil }
        let entries = parseDentries(until: .rightBrace)
        guard let close = consume(.rightBrace) else {
            let next = atEnd ? Diagnostic.Note("the file ends here", at: current.range)
                : Diagnostic.Note("`\(current.text)` starts the next statement here", at: current.range)
            error(.unclosedBlock, "dtab block is not closed", at: open.range, notes: [next],
                  help: atEnd ? "add `}` at the end" : "add `}` before line \(source.location(of: current.range.start).line)")
            return DtabBlock(entries: entries, range: keyword.range.through(previousRange))
        }
        return DtabBlock(entries: entries, range: keyword.range.through(close.range))
    }

    /// `dtab = [ dentry { ";" dentry } [ ";" ] ] ;` up to `terminator`.
    ///
    /// A missing `;` between two dentries is reported and parsing goes on as
    /// if it were there; a broken dentry is skipped up to the next `;`.
    /// As in Finagle's parser, `;` only ever ends a dentry: one at the start
    /// or right after another `;` is an empty dentry, an error.
    mutating func parseDentries(until terminator: Token.Kind) -> [DentrySyntax] {
        var entries: [DentrySyntax] = []
        while !atEnd, current.kind != terminator, !(terminator == .rightBrace && startsStatement(in: "dtab")) {
            if let semicolon = consume(.semicolon) {
                error(.emptyDentry, "empty dentry: `;` with no dentry before it", at: semicolon.range,
                      help: "remove this `;` (only one `;` may follow each dentry)")
                continue
            }
            if let entry = parseDentry() {
                entries.append(entry)
                if current.kind == .semicolon {
                    advance()
                    continue
                }
                if current.kind == terminator || atEnd { continue }
                if current.kind == .path {
                    error(.missingSemicolon, "expected `;` between dentries", at: SourceRange(start: entry.range.end, end: entry.range.end + 1),
                          help: "separate dentries with `;`")
                    continue
                }
                error(.expectedToken, "expected `;` or \(terminator.spelling) after the dentry, found \(describe(current))",
                      at: current.range)
            }
            while !atEnd, current.kind != .semicolon, current.kind != terminator {
                if current.kind == .rightBrace, terminator != .rightBrace { break }
                advance()
            }
            if current.kind == .rightBrace, terminator != .rightBrace { break }
            // The `;` that ends the broken dentry.
            if current.kind == .semicolon { advance() }
        }
        return entries
    }

    /// `dentry = prefix "=>" tree ;`
    mutating func parseDentry() -> DentrySyntax? {
        guard current.kind == .path else {
            error(.expectedToken, "expected a dentry prefix (a path such as `/svc`), found \(describe(current))", at: current.range)
            return nil
        }
        let prefixToken = advance()
        guard let prefix = parsePrefix(prefixToken) else { return nil }
        guard consume(.arrow) != nil else {
            error(.expectedDentryArrow, "expected `=>` after the dentry prefix, found \(describe(current))", at: current.range,
                  help: "a dentry is `PREFIX => TREE`, e.g. `/svc => /#/disco`")
            return nil
        }
        guard let tree = parseTree() else { return nil }
        return DentrySyntax(prefix: prefix, tree: tree, range: prefixToken.range.through(tree.range))
    }

    /// `tree = tree1 { "|" tree1 } ;`
    mutating func parseTree() -> TreeSyntax? {
        var trees: [TreeSyntax] = []
        repeat {
            guard let tree = parseUnion() else { return nil }
            trees.append(tree)
        } while consume(.pipe) != nil
        if trees.count == 1 { return trees[0] }
        return .alt(trees, trees[0].range.through(trees[trees.count - 1].range))
    }

    /// `tree1 = weighted { "&" weighted } ;`
    mutating func parseUnion() -> TreeSyntax? {
        var branches: [WeightedSyntax] = []
        repeat {
            guard let branch = parseWeighted() else { return nil }
            branches.append(branch)
        } while consume(.ampersand) != nil
        if branches.count == 1, branches[0].weight == nil { return branches[0].tree }
        let start = branches[0].weight?.range ?? branches[0].tree.range
        return .union(branches, start.through(branches[branches.count - 1].tree.range))
    }

    /// `weighted = [ weight "*" ] simple ;`  `weight = digits [ "." digits ] | "." digits ;`
    mutating func parseWeighted() -> WeightedSyntax? {
        var weight: Spanned<Double>?
        if current.kind == .word {
            let token = advance()
            guard let parsed = literal(token, code: .invalidWeight, LiteralParser.weight) else { return nil }
            guard expect(.star, "after the weight `\(token.text)`") != nil else { return nil }
            weight = parsed
        }
        guard let tree = parseSimple() else { return nil }
        return WeightedSyntax(weight: weight, tree: tree)
    }

    /// `simple = "(" tree ")" | path | "!" | "~" | "$" ;`
    mutating func parseSimple() -> TreeSyntax? {
        let token = current
        switch token.kind {
        case .leftParen:
            advance()
            guard let inner = parseTree() else { return nil }
            guard let close = expect(.rightParen, "to close the group") else { return nil }
            return .group(inner, token.range.through(close.range))
        case .path:
            advance()
            return parsePlainPath(token).map(TreeSyntax.path)
        case .bang:
            advance()
            return .fail(token.range)
        case .tilde:
            advance()
            return .neg(token.range)
        case .dollar:
            advance()
            return .empty(token.range)
        default:
            error(.invalidTree, "expected a name tree (a path, `!`, `~`, `$` or `(`), found \(describe(token))", at: token.range)
            return nil
        }
    }

    // MARK: Paths

    /// A path with no wildcard and no template: a tree leaf or a split name.
    mutating func parsePlainPath(_ token: Token) -> Spanned<Path>? {
        guard let labels = scanPath(token, allowWildcard: false, allowTemplate: false) else { return nil }
        var result: [String] = []
        for label in labels {
            guard case .label(let parts) = label, parts.count <= 1 else { return nil }
            if case .literal(let text)? = parts.first { result.append(text) }
        }
        return Spanned(Path(result), text: token.text, range: token.range)
    }

    /// A dentry prefix: labels and `*`.
    mutating func parsePrefix(_ token: Token) -> Spanned<[Dentry.Element]>? {
        guard let labels = scanPath(token, allowWildcard: true, allowTemplate: false) else { return nil }
        let elements: [Dentry.Element] = labels.map { label in
            switch label {
            case .any: return .any
            case .label(let parts):
                if case .literal(let text)? = parts.first { return .label(text) }
                return .label("")
            }
        }
        return Spanned(elements, text: token.text, range: token.range)
    }

    /// A `to` or `identify` template such as `/svc/{host}`.
    mutating func parseTemplate() -> Spanned<PathTemplate>? {
        let token = advance()
        guard let labels = scanPath(token, allowWildcard: false, allowTemplate: true) else { return nil }
        let template = PathTemplate(labels: labels.map { label in
            if case .label(let parts) = label { return parts }
            return []
        })
        return Spanned(template, text: token.text, range: token.range)
    }

    enum ScannedLabel {
        case label([PathTemplate.Part])
        case any
    }

    /// Validates the text of a path token: `/` alone is the empty path; labels
    /// are label bytes, `\xHH` escapes and (in templates) `{variables}`; no
    /// empty labels and no trailing `/` (Finagle `Path.read`).
    mutating func scanPath(_ token: Token, allowWildcard: Bool, allowTemplate: Bool) -> [ScannedLabel]? {
        let bytes = Array(token.text.utf8)
        let base = token.range.start
        if bytes == [UInt8(ascii: "/")] { return [] }
        var labels: [ScannedLabel] = []
        var index = 1
        var ok = true
        while index <= bytes.count {
            let labelStart = index
            var parts: [PathTemplate.Part] = []
            var literal: [UInt8] = []
            var sawWildcard = false
            while index < bytes.count, bytes[index] != UInt8(ascii: "/") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    if let value = Self.escapedByte(in: bytes, at: index) {
                        literal.append(value)
                        index += 4
                    } else {
                        error(.invalidPathEscape, "invalid escape in path `\(token.text)`",
                              at: SourceRange(start: base + index, end: base + min(index + 4, bytes.count)),
                              help: "escape a byte as `\\xHH` with two hex digits")
                        ok = false
                        index += 2
                    }
                } else if byte == UInt8(ascii: "*") {
                    sawWildcard = true
                    index += 1
                } else if byte == UInt8(ascii: "{") {
                    let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) ?? bytes.count
                    let name = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                    let range = SourceRange(start: base + index, end: base + min(close + 1, bytes.count))
                    if !allowTemplate {
                        error(.misplacedTemplate, "template variable `{\(name)}` is only allowed in `to` and `identify`",
                              at: range)
                        ok = false
                    } else if let variable = Self.templateVariable(name) {
                        if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
                        literal = []
                        parts.append(.variable(variable))
                    } else {
                        error(.unknownTemplateVariable, "unknown template variable `{\(name)}`", at: range,
                              help: Suggestion.help(for: name, among: ["host", "method", "path:1", "header:"])
                                ?? "variables are {host}, {method}, {path:N} and {header:NAME}")
                        ok = false
                    }
                    index = close + 1
                } else {
                    literal.append(byte)
                    index += 1
                }
            }
            let labelRange = SourceRange(start: base + labelStart, end: base + index)
            if sawWildcard {
                if allowWildcard, index - labelStart == 1 {
                    labels.append(.any)
                } else {
                    error(.misplacedWildcard,
                          allowWildcard ? "`*` must be a whole path element" : "`*` is only allowed in a dentry prefix",
                          at: labelRange)
                    ok = false
                }
            } else if index == labelStart {
                let atEnd = index >= bytes.count
                error(.invalidPath, atEnd ? "path `\(token.text)` ends with `/`" : "path `\(token.text)` has an empty element",
                      at: SourceRange(start: base + index - 1, end: base + index),
                      help: atEnd ? "remove the trailing `/`" : "remove the doubled `/`")
                ok = false
            } else {
                if !literal.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
                labels.append(.label(parts))
            }
            index += 1
        }
        return ok ? labels : nil
    }

    /// The byte of a `\xHH` escape starting at `index`, if well formed.
    static func escapedByte(in bytes: [UInt8], at index: Int) -> UInt8? {
        guard index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
              let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) else { return nil }
        return high << 4 | low
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func templateVariable(_ name: String) -> PathTemplate.Variable? {
        switch name {
        case "host": return .host
        case "method": return .method
        default:
            if name.hasPrefix("path:"), let count = Int(name.dropFirst(5)), count >= 1 { return .path(count) }
            if name.hasPrefix("header:"), LiteralParser.isToken(String(name.dropFirst(7))) {
                return .header(String(name.dropFirst(7)).lowercased())
            }
            return nil
        }
    }
}
