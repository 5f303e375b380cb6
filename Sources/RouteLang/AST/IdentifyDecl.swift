// MARK: - IdentifyDecl

/// `identify FORM`: how requests that match no route are named.
public struct IdentifyDecl: Sendable, Hashable {
    public var form: IdentifyForm
    public var range: SourceRange
}

public enum IdentifyForm: Sendable, Hashable {
    /// `/svc/<host>`.
    case host
    /// `/svc/<method>/<host>`.
    case methodHost
    /// `/svc/<value of header>`.
    case header(Spanned<String>)
    /// `/svc/<first N path segments>`.
    case path(Spanned<Int>)
    /// A path template such as `/svc/{header:x-svc}`.
    case template(Spanned<PathTemplate>)

    public static let keywords = ["host", "method-host", "header", "path"]
}
