// MARK: - NamerDecl

/// `namer NAME = KIND "argument"`: a service-discovery source reachable as `/#/NAME`.
public struct NamerDecl: Sendable, Hashable {
    public var name: Spanned<String>
    public var kind: Spanned<NamerKind>
    public var argument: Spanned<String>
    /// Options after the argument (`srv`, `port 80`, …), as written.
    public var options: [NamerOption] = []
    public var range: SourceRange
}

/// One namer option: a key, and its value unless it is a flag.
public struct NamerOption: Sendable, Hashable {
    public var key: Spanned<String>
    public var value: Spanned<String>?

    public init(key: Spanned<String>, value: Spanned<String>?) {
        self.key = key
        self.value = value
    }
}

/// The kinds of namer the language knows. Each names the meaning of its argument.
public enum NamerKind: String, Sendable, Hashable, CaseIterable {
    /// A directory with one file per service, each listing `HOST PORT` lines (Linkerd `io.l5d.fs`).
    case files
    /// Addresses written inline: `"10.0.0.1:80, 10.0.0.2:80*2"` (host:port, optional `*weight`).
    case `static`
    /// DNS names under a suffix: `/#/NAME/LABEL` is `LABEL.SUFFIX` (A/AAAA, or SRV with `srv`).
    case dns
    /// An etcd v3 server: `/#/NAME/SERVICE` is every key `PREFIX SERVICE/ID` holding `{"host","port","weight"}`.
    case etcd

    /// The options a kind takes, and whether each takes a value.
    public var options: [String: Bool] {
        switch self {
        case .files, .static: return [:]
        case .dns: return ["srv": false, "port": true, "resolver": true, "refresh": true]
        case .etcd: return ["prefix": true]
        }
    }

    /// What the quoted argument is, for messages.
    public var argumentMeaning: String {
        switch self {
        case .files: return "the namer's directory"
        case .static: return "the namer's addresses, e.g. \"10.0.0.1:8080, 10.0.0.2:8080*2\""
        case .dns: return "the DNS suffix, e.g. \"service.internal\""
        case .etcd: return "the etcd address, e.g. \"http://127.0.0.1:2379\""
        }
    }
}
