// MARK: - Diagnostic

/// One error or warning about a rule file.
///
/// Diagnostics are values: front ends and the checker append them, the
/// renderer turns them into text, JSON or GitHub annotations. The `code` is
/// stable across releases so CI rules and docs can refer to it.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    /// A secondary message, optionally pointing at another place in the file.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var range: SourceRange?

        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    public var code: DiagnosticCode
    public var severity: Severity
    public var message: String
    public var range: SourceRange
    public var notes: [Note]
    /// A concrete fix, e.g. "did you mean `retry`?".
    public var help: String?

    public init(
        _ code: DiagnosticCode, _ message: String, at range: SourceRange,
        severity: Severity? = nil, notes: [Note] = [], help: String? = nil
    ) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
        self.range = range
        self.notes = notes
        self.help = help
    }

    public var isError: Bool { severity == .error }
}

// MARK: - Diagnostics

/// An ordered collection of diagnostics with the error cap of the CLI:
/// recovery keeps going, but past `errorLimit` errors further ones are
/// counted, not stored, so a badly broken file does not flood the terminal.
public struct Diagnostics: Sendable {
    public private(set) var items: [Diagnostic] = []
    public private(set) var suppressedErrors = 0
    public var errorLimit: Int?

    public init(errorLimit: Int? = nil) {
        self.errorLimit = errorLimit
    }

    public var errorCount: Int { items.filter(\.isError).count + suppressedErrors }
    public var warningCount: Int { items.filter { !$0.isError }.count }
    public var hasErrors: Bool { errorCount > 0 }

    public mutating func append(_ diagnostic: Diagnostic) {
        if diagnostic.isError, let limit = errorLimit, items.filter(\.isError).count >= limit {
            suppressedErrors += 1
            return
        }
        items.append(diagnostic)
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        for diagnostic in other { append(diagnostic) }
    }

    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                               notes: [Diagnostic.Note] = [], help: String? = nil) {
        append(Diagnostic(code, message, at: range, severity: .error, notes: notes, help: help))
    }

    public mutating func warning(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                                 notes: [Diagnostic.Note] = [], help: String? = nil) {
        append(Diagnostic(code, message, at: range, severity: .warning, notes: notes, help: help))
    }

    /// Diagnostics in file order, errors before warnings at the same place.
    public var sorted: [Diagnostic] {
        items.enumerated().sorted { lhs, rhs in
            if lhs.element.range.start != rhs.element.range.start {
                return lhs.element.range.start < rhs.element.range.start
            }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
