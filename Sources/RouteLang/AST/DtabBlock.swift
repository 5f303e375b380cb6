// MARK: - DtabBlock

/// `dtab { dentry ; … }`.
public struct DtabBlock: Sendable, Hashable {
    public var entries: [DentrySyntax]
    public var range: SourceRange
}

// MARK: - DefaultsBlock

/// `defaults { policy … }`.
public struct DefaultsBlock: Sendable, Hashable {
    public var items: [PolicyItem]
    public var range: SourceRange
}
