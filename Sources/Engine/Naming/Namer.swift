import RouteLang

// MARK: - Namer

/// Resolves names under `/#/<namer>/…` (service discovery) or `/$/…`
/// (built-ins). Discovery sources implement it; the delegator consults a
/// namer only for names no dentry matches (Linkerd's interpreter order).
public protocol Namer: Sendable {
    /// Binds `path`, the part of the name after the namer's own prefix.
    /// A leaf may be bound, or a path to delegate further. A namer that
    /// cannot answer at all throws; the whole binding then fails (Finagle's
    /// failed `Activity`), where `neg` would let an alternative take over.
    func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult>
}

/// A namer that could not answer (unreadable directory, unreachable source).
public struct NamerFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// What a namer answers for one leaf.
public enum NamerResult: Sendable, Hashable {
    case bound(BoundName)
    /// A name to delegate again through the dtab.
    case path(Path)
}

// MARK: - NamerTable

/// The namers of a config: `/#/NAME` for each declared namer and the
/// global built-ins under `/$`.
public struct NamerTable: Sendable {
    public var namers: [String: any Namer]

    public init(_ namers: [String: any Namer] = [:]) {
        self.namers = namers
    }

    /// The namer for a `/#/…` or `/$/…` path, with the prefix it consumed.
    public func namer(for path: Path) -> (prefix: Path, namer: any Namer)? {
        guard path.count >= 2 else { return nil }
        switch path.labels[0] {
        case "#":
            guard let namer = namers[path.labels[1]] else { return nil }
            return (Path("#", path.labels[1]), namer)
        case "$":
            return (Path("$"), GlobalNamer())
        default:
            return nil
        }
    }
}
