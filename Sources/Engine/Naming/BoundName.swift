import RouteLang

// MARK: - BoundName

/// A name a namer has bound to a set of endpoints (Finagle `Name.Bound`).
///
/// `id` identifies the destination (`/#/disco/users-v1`, `/$/inet/127.0.0.1/9101`)
/// and keys per-destination state (balancer, accrual, pools) so it survives
/// reloads; `residual` is the part of the name the namer did not consume.
public struct BoundName: Sendable, Hashable, Showable, CustomStringConvertible {
    public var id: Path
    public var residual: Path
    public var endpoints: [Endpoint]

    public init(id: Path, residual: Path = .empty, endpoints: [Endpoint]) {
        self.id = id
        self.residual = residual
        self.endpoints = endpoints
    }

    /// Finagle shows a bound leaf by its id.
    public var show: String { id.show }
    public var description: String { show }
}

// MARK: - Endpoint

/// One address a bound name resolves to, with its discovery weight.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var weight: Double

    public init(host: String, port: Int, weight: Double = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
