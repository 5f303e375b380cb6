// MARK: - RuleFile

/// The AST of one rule file, whichever front end read it.
///
/// Statements keep source order (the formatter prints them back in that
/// order); comments are kept beside them for `fmt`.
public struct RuleFile: Sendable {
    public var source: SourceFile
    public var statements: [Statement]
    public var comments: [Comment]

    public init(source: SourceFile, statements: [Statement], comments: [Comment] = []) {
        self.source = source
        self.statements = statements
        self.comments = comments
    }
}

// MARK: - Statement

/// A top-level statement.
public enum Statement: Sendable, Hashable {
    case listen(ListenDecl)
    case admin(AdminDecl)
    case namer(NamerDecl)
    case identify(IdentifyDecl)
    case dtab(DtabBlock)
    case defaults(DefaultsBlock)
    case route(RouteDecl)
    case split(SplitDecl)
    case limits(LimitsBlock)
    case tracing(TracingDecl)
    case accessLog(AccessLogDecl)

    public var range: SourceRange {
        switch self {
        case .listen(let decl): return decl.range
        case .admin(let decl): return decl.range
        case .namer(let decl): return decl.range
        case .identify(let decl): return decl.range
        case .dtab(let block): return block.range
        case .defaults(let block): return block.range
        case .route(let decl): return decl.range
        case .split(let decl): return decl.range
        case .limits(let block): return block.range
        case .tracing(let decl): return decl.range
        case .accessLog(let decl): return decl.range
        }
    }

    /// The statement keywords, for did-you-mean help.
    public static let keywords = ["listen", "admin", "namer", "identify", "dtab", "defaults", "route", "split", "limits", "tracing", "access-log"]
}
