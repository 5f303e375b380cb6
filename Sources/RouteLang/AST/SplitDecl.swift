// MARK: - SplitDecl

/// `split PATH { WEIGHT TARGET … }`: canary sugar for a weighted dentry.
public struct SplitDecl: Sendable, Hashable {
    public var path: Spanned<Path>
    public var entries: [SplitEntry]
    public var range: SourceRange
}

// MARK: - SplitEntry

public struct SplitEntry: Sendable, Hashable {
    /// The weight as written: `90%` (value 90, percent) or `0.9`.
    public var weight: Spanned<Double>
    public var isPercent: Bool
    public var target: Spanned<Path>
    public var range: SourceRange
}
