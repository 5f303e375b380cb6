// MARK: - SourceRange

/// A half-open range of UTF-8 byte offsets in one `SourceFile`.
///
/// Every AST node carries one so the checker can point at exactly the text
/// it complains about, whichever front end (RouteLang or YAML) produced it.
public struct SourceRange: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// A range for nodes that were synthesised rather than read from a file.
    public static let synthesized = SourceRange(start: 0, end: 0)

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// A range that starts where this one does and ends at `other`'s end.
    public func through(_ other: SourceRange) -> SourceRange {
        SourceRange(start: start, end: max(start, other.end))
    }
}
