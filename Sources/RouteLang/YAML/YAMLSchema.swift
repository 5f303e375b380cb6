// MARK: - YAMLSchema

/// The keys of the YAML form of RouteLang. Every construct has exactly one
/// spelling; `docs/routelang.md` shows each beside its RouteLang twin.
enum YAMLSchema {
    static let top = ["listen", "admin", "namers", "identify", "dtab", "defaults", "routes", "splits", "limits", "tracing", "access-log"]
    static let tracing = TracingDecl.exporters + ["sample"]
    static let listener = ["address", "allow-dtab-override", "tls"]
    static let tls = ["cert", "key"]
    static let namer = ["name"] + NamerKind.allCases.map(\.rawValue) + Set(NamerKind.allCases.flatMap(\.options.keys)).sorted()
    static let identify = ["header", "path", "template"]
    static let route = ["name", "when", "to", "dtab"] + policy
    static let policy = PolicyItem.keywords
    static let conditions = ["host", "path", "path-prefix", "path-regex", "method", "header", "query", "not"]
    static let header = ["name", "equals", "matches"]
    static let query = ["name", "equals"]
    static let retry = ["on"] + RetrySyntax.options
    static let accrual = AccrualSyntax.modes + AccrualSyntax.options
    static let balance = ["algorithm"] + BalanceSyntax.options + BalanceSyntax.commonOptions
    static let classify = ["on", "as"]
    static let split = ["path", "to"]
    static let splitEntry = ["weight", "path"]
}
