// MARK: - NamerDecl

/// `namer NAME = KIND "argument"`: a service-discovery source reachable as `/#/NAME`.
public struct NamerDecl: Sendable, Hashable {
    public var name: Spanned<String>
    public var kind: Spanned<NamerKind>
    public var argument: Spanned<String>
    public var range: SourceRange
}

/// The kinds of namer the language knows. Each names the meaning of its argument.
public enum NamerKind: String, Sendable, Hashable, CaseIterable {
    /// A directory with one file per service, each listing `HOST PORT` lines (Linkerd `io.l5d.fs`).
    case files
}
