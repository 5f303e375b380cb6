// MARK: - RouteDecl

/// `route NAME { when … ; to … ; policies ; dtab { } }`.
public struct RouteDecl: Sendable, Hashable {
    public var name: Spanned<String>
    public var members: [RouteMember]
    public var range: SourceRange

    public var whenClauses: [WhenClause] {
        members.compactMap { if case .when(let clause) = $0 { return clause } else { return nil } }
    }

    public var targets: [Spanned<PathTemplate>] {
        members.compactMap { if case .to(let target) = $0 { return target } else { return nil } }
    }

    public var policies: [PolicyItem] {
        members.compactMap { if case .policy(let item) = $0 { return item } else { return nil } }
    }

    public var dtabBlocks: [DtabBlock] {
        members.compactMap { if case .dtab(let block) = $0 { return block } else { return nil } }
    }
}

/// One line of a route body.
public indirect enum RouteMember: Sendable, Hashable {
    case when(WhenClause)
    case to(Spanned<PathTemplate>)
    case policy(PolicyItem)
    case dtab(DtabBlock)

    public var range: SourceRange {
        switch self {
        case .when(let clause): return clause.range
        case .to(let target): return target.range
        case .policy(let item): return item.range
        case .dtab(let block): return block.range
        }
    }
}

// MARK: - Conditions

/// `when COND and COND …`: all conditions must hold. A route matches when any clause does.
public struct WhenClause: Sendable, Hashable {
    public var conditions: [ConditionSyntax]
    public var range: SourceRange
}

/// One condition with the ranges the checker needs.
public struct ConditionSyntax: Sendable, Hashable {
    public var condition: Condition
    public var range: SourceRange
    /// The range of the condition's main argument (the host, path, regex, …).
    public var argumentRange: SourceRange
    /// The range of the value in `header "h" == "v"`, `~ "re"` and `query`.
    public var valueRange: SourceRange?

    public static let keywords = ["host", "path", "method", "header", "query", "not"]
}
