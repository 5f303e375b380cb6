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
    /// Addresses written inline: `"10.0.0.1:80, 10.0.0.2:80*2"` (host:port, optional `*weight`).
    case `static`

    /// What the quoted argument is, for messages.
    public var argumentMeaning: String {
        switch self {
        case .files: return "the namer's directory"
        case .static: return "the namer's addresses, e.g. \"10.0.0.1:8080, 10.0.0.2:8080*2\""
        }
    }
}
