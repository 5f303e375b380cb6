import RouteLang

// MARK: - NamerReport

/// What a discovery source last said, for `/endpoints`, `/ready` and the
/// namer metrics: its state, the services with their endpoints, and the
/// problems it met.
public struct NamerReport: Sendable, Hashable {
    /// - pending: it has produced no set yet; ok: its set is current;
    /// - stale: it cannot be read now, and its last good set is served;
    /// - failed: it cannot be read and never produced a set (names fail with 502).
    public enum State: String, Sendable, Hashable {
        case pending, ok, stale, failed
    }

    public var kind: NamerKind
    /// The directory or the addresses, as configured.
    public var source: String
    public var state: State
    public var services: [String: [Endpoint]]
    /// `FILE line N: …` and source-level problems, newest state first.
    public var problems: [String]

    public init(kind: NamerKind, source: String, state: State, services: [String: [Endpoint]], problems: [String]) {
        self.kind = kind
        self.source = source
        self.state = state
        self.services = services
        self.problems = problems
    }

    public var endpointCount: Int { services.values.reduce(0) { $0 + $1.count } }
}

// MARK: - DiscoveryNamer

/// A namer backed by a discovery source: an immutable snapshot of what the
/// source said (the request path reads it, never does I/O) and its report.
public protocol DiscoveryNamer: Namer {
    var report: NamerReport { get }
}
