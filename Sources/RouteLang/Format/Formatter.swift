import Foundation
// MARK: - Formatter

/// Prints a `RuleFile` in canonical RouteLang: two-space indentation, one
/// item per line, canonical spacing and option order, `;` after every
/// dentry. Comments survive: a comment before an item stays before it, a
/// comment on an item's line (or inside a multi-line item) ends up trailing
/// it, and groups separated by blank lines stay separated by one.
///
/// `format(parse(format(x))) == format(x)` and the IR does not change; the
/// tests check both.
public struct Formatter {
    let file: RuleFile
    let comments: [Comment]
    var nextComment = 0
    var out = ""
    /// End offset of the last thing printed, for blank-line detection.
    var lastEnd: Int?
    let layout: Layout
    /// Whether any trailing comment was printed (and needs aligning).
    var hasTrailingComments = false

    /// Where blank lines go.
    public enum Layout: Sendable {
        /// Keep the source's blank-line groups (`fmt`).
        case source
        /// Separate top-level blocks and kinds of statement (`convert`, whose
        /// source is another syntax).
        case generated
    }

    init(file: RuleFile, layout: Layout) {
        self.file = file
        self.layout = layout
        self.comments = layout == .source ? file.comments.sorted { $0.range.start < $1.range.start } : []
    }

    /// The canonical text of `file`.
    /// A namer option's value: a word as it is (`port 80`, `refresh 5s`),
    /// anything else quoted (`prefix "/services/"`).
    static func optionValue(_ value: String) -> String {
        let word = !value.isEmpty && value.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || ".:-_[]".unicodeScalars.contains($0) }
        return word ? value : quote(value)
    }

    public static func format(_ file: RuleFile, layout: Layout = .source) -> String {
        var formatter = Formatter(file: file, layout: layout)
        formatter.run()
        return formatter.out
    }

    mutating func run() {
        var previous: Statement?
        for statement in file.statements {
            if layout == .generated, let previous, Self.wantsBlankLine(between: previous, and: statement) {
                out += "\n"
            }
            emitItem(range: statement.range, indent: 0) { formatter in
                formatter.emitStatement(statement)
            }
            previous = statement
        }
        emitComments(before: Int.max, indent: 0)
        if hasTrailingComments { out = Self.alignTrailingComments(out) }
    }

    /// Generated layout: one-line statements of one kind stay together; blocks stand apart.
    static func wantsBlankLine(between previous: Statement, and next: Statement) -> Bool {
        switch (previous, next) {
        case (.listen, .listen), (.listen, .admin), (.admin, .listen), (.namer, .namer), (.tracing, .accessLog), (.accessLog, .tracing):
            return false
        default: return true
        }
    }

    // MARK: Layout

    /// Emits the comments before `range`, a blank line if the source had one,
    /// the item itself, and the comments inside it or trailing it.
    mutating func emitItem(range: SourceRange, indent: Int, _ body: (inout Formatter) -> Void) {
        emitComments(before: range.start, indent: indent)
        separate(from: range.start)
        out += String(repeating: "  ", count: indent)
        body(&self)
        var trailing: [String] = []
        let endLine = file.source.location(of: range.end).line
        while nextComment < comments.count {
            let comment = comments[nextComment]
            let inside = comment.range.start < range.end
            let sameLine = comment.isTrailing && file.source.location(of: comment.range.start).line == endLine
            guard inside || sameLine else { break }
            trailing.append(comment.text)
            nextComment += 1
        }
        if !trailing.isEmpty {
            out += String(Self.trailingMark) + trailing.joined(separator: "  ")
            hasTrailingComments = true
        }
        out += "\n"
        lastEnd = max(range.end, trailing.isEmpty ? range.end : comments[nextComment - 1].range.end)
    }

    /// Marks where a trailing comment starts until `alignTrailingComments` places it.
    static let trailingMark: Character = "\u{E000}"

    /// Aligns the trailing comments of consecutive lines (as gofmt does), two
    /// spaces after the longest code among them.
    static func alignTrailingComments(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            guard lines[index].contains(trailingMark) else {
                index += 1
                continue
            }
            var end = index
            while end < lines.count, lines[end].contains(trailingMark) { end += 1 }
            let width = lines[index..<end].map { $0.prefix { $0 != trailingMark }.count }.max() ?? 0
            for line in index..<end {
                let code = lines[line].prefix { $0 != trailingMark }
                let comment = lines[line][lines[line].index(after: code.endIndex)...]
                lines[line] = code + String(repeating: " ", count: width - code.count + 2) + comment
            }
            index = end
        }
        return lines.joined(separator: "\n")
    }

    /// Emits own-line comments that start before `offset`.
    mutating func emitComments(before offset: Int, indent: Int) {
        while nextComment < comments.count, comments[nextComment].range.start < offset {
            let comment = comments[nextComment]
            separate(from: comment.range.start)
            out += String(repeating: "  ", count: indent) + comment.text + "\n"
            lastEnd = comment.range.end
            nextComment += 1
        }
    }

    /// One blank line where the source had at least one since the last thing printed.
    mutating func separate(from start: Int) {
        guard layout == .source, let lastEnd, hasBlankLine(from: lastEnd, to: start) else { return }
        out += "\n"
    }

    func hasBlankLine(from start: Int, to end: Int) -> Bool {
        let first = file.source.location(of: start).line
        let last = file.source.location(of: end).line
        guard last - first >= 2 else { return false }
        return (first + 1..<last).contains { file.source.lineText($0).allSatisfy(\.isWhitespace) }
    }

    /// `header {` items `}`; the block's own range ends at its `}`.
    mutating func emitBlock(_ header: String, range: SourceRange, indent: Int,
                            items: [(SourceRange, (inout Formatter) -> Void)]) {
        out += header + " {"
        let closing = max(range.start, range.end - 1)
        let hasInnerComment = nextComment < comments.count && comments[nextComment].range.start < closing
        if items.isEmpty, !hasInnerComment {
            out += "}"
            return
        }
        out += "\n"
        lastEnd = nil
        for (itemRange, body) in items {
            emitItem(range: itemRange, indent: indent + 1, body)
        }
        emitComments(before: closing, indent: indent + 1)
        out += String(repeating: "  ", count: indent) + "}"
    }

    // MARK: Statements

    mutating func emitStatement(_ statement: Statement) {
        switch statement {
        case .listen(let decl):
            out += "listen \(decl.address.text)" + (decl.allowDtabOverride != nil ? " allow-dtab-override" : "")
                + (decl.tls.map { " tls cert \(Self.quote($0.cert.value)) key \(Self.quote($0.key.value))" } ?? "")
        case .admin(let decl):
            out += "admin \(decl.address.text)"
        case .namer(let decl):
            out += "namer \(decl.name.value) = \(decl.kind.value.rawValue) \(Self.quote(decl.argument.value))"
                + decl.options.map { " \($0.key.value)" + ($0.value.map { " " + Self.optionValue($0.value) } ?? "") }.joined()
        case .identify(let decl):
            out += "identify " + Self.identify(decl.form)
        case .dtab(let block):
            emitDtab(block, indent: 0)
        case .defaults(let block):
            emitBlock("defaults", range: block.range, indent: 0, items: block.items.map { item in
                (item.range, { $0.out += Self.policy(item) })
            })
        case .route(let decl):
            emitRoute(decl)
        case .split(let decl):
            emitBlock("split \(decl.path.text)", range: decl.range, indent: 0, items: decl.entries.map { entry in
                (entry.range, { $0.out += "\(entry.weight.text) \(entry.target.text)" })
            })
        case .limits(let block):
            emitBlock("limits", range: block.range, indent: 0, items: block.items.map { item in
                (item.range, { $0.out += "\(item.name.value) \(item.valueText)" })
            })
        case .tracing(let decl):
            out += "tracing \(decl.exporter.value) \(Self.quote(decl.endpoint.value))" + (decl.sample.map { " sample \($0.text)" } ?? "")
        case .accessLog(let decl):
            out += "access-log \(Self.quote(decl.path.value))"
        }
    }

    mutating func emitDtab(_ block: DtabBlock, indent: Int) {
        emitBlock("dtab", range: block.range, indent: indent, items: block.entries.map { entry in
            (entry.range, { $0.out += "\(entry.prefix.text) => \(Self.tree(entry.tree));" })
        })
    }

    mutating func emitRoute(_ decl: RouteDecl) {
        emitBlock("route \(decl.name.value)", range: decl.range, indent: 0, items: decl.members.map { member in
            (member.range, { formatter in
                switch member {
                case .when(let clause): formatter.out += Self.when(clause)
                case .to(let target): formatter.out += "to \(target.text)"
                case .policy(let item): formatter.out += Self.policy(item)
                case .dtab(let block): formatter.emitDtab(block, indent: 1)
                }
            })
        })
    }
}
