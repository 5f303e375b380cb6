import Foundation

// MARK: - DiagnosticRenderer

/// Turns diagnostics into what people and tools read. One renderer serves
/// every front end: YAML and RouteLang diagnostics look the same.
public struct DiagnosticRenderer: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// `file:line:col: error[RL0117]: message`, the source line, a caret, notes, help.
        case text
        /// One JSON array of objects, for editors and dashboards.
        case json
        /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
        case github
    }

    public var format: Format

    public init(format: Format = .text) {
        self.format = format
    }

    /// Renders all diagnostics of one file.
    public func render(_ diagnostics: [Diagnostic], in source: SourceFile) -> String {
        switch format {
        case .text: return diagnostics.map { renderText($0, in: source) }.joined()
        case .github: return diagnostics.map { renderGitHub($0, in: source) }.joined()
        case .json: return renderJSON([(source, diagnostics)])
        }
    }

    // MARK: Text

    func renderText(_ diagnostic: Diagnostic, in source: SourceFile) -> String {
        let start = source.location(of: diagnostic.range.start)
        var out = "\(source.name):\(start): \(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]: \(diagnostic.message)\n"
        out += excerpt(diagnostic.range, in: source)
        let pad = String(repeating: " ", count: String(start.line).count)
        for note in diagnostic.notes {
            if let range = note.range {
                out += "\(pad) = note: \(note.message) (at \(source.location(of: range.start)))\n"
            } else {
                out += "\(pad) = note: \(note.message)\n"
            }
        }
        if let help = diagnostic.help { out += "\(pad) = help: \(help)\n" }
        return out
    }

    /// The source line with a caret under the start and tildes to the end of
    /// the range (clipped to that line).
    public func excerpt(_ range: SourceRange, in source: SourceFile) -> String {
        let start = source.location(of: range.start)
        let line = source.lineText(start.line)
        let end = source.location(of: range.end)
        let lineWidth = line.unicodeScalars.count
        let width: Int
        if end.line == start.line {
            width = max(1, end.column - start.column)
        } else {
            width = max(1, lineWidth - start.column + 1)
        }
        let gutter = String(start.line)
        let pad = String(repeating: " ", count: gutter.count)
        let prefix = String(line.unicodeScalars.prefix(start.column - 1).map { $0 == "\t" ? "\t" : " " })
        var out = "\(pad) |\n"
        out += "\(gutter) | \(line)\n"
        out += "\(pad) | \(prefix)^\(String(repeating: "~", count: max(0, width - 1)))\n"
        return out
    }

    // MARK: GitHub

    func renderGitHub(_ diagnostic: Diagnostic, in source: SourceFile) -> String {
        let start = source.location(of: diagnostic.range.start)
        let end = source.location(of: diagnostic.range.end)
        let kind = diagnostic.isError ? "error" : "warning"
        var message = diagnostic.message
        if let help = diagnostic.help { message += " (\(help))" }
        return "::\(kind) file=\(Self.escapeProperty(source.name)),line=\(start.line),col=\(start.column),"
            + "endLine=\(end.line),endColumn=\(end.column),title=\(diagnostic.code.rawValue)::\(Self.escapeData(message))\n"
    }

    /// GitHub workflow-command escaping of a message.
    public static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// GitHub workflow-command escaping of a property (`file=`, `title=`).
    public static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    // MARK: JSON

    /// JSON for several files at once (the CLI lints many files in one run).
    public func renderJSON(_ files: [(SourceFile, [Diagnostic])]) -> String {
        var objects: [[String: Any]] = []
        for (source, diagnostics) in files {
            for diagnostic in diagnostics {
                let start = source.location(of: diagnostic.range.start)
                let end = source.location(of: diagnostic.range.end)
                var object: [String: Any] = [
                    "file": source.name, "code": diagnostic.code.rawValue,
                    "severity": diagnostic.severity.rawValue, "message": diagnostic.message,
                    "line": start.line, "column": start.column,
                    "endLine": end.line, "endColumn": end.column,
                ]
                if let help = diagnostic.help { object["help"] = help }
                if !diagnostic.notes.isEmpty { object["notes"] = diagnostic.notes.map(\.message) }
                objects.append(object)
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
