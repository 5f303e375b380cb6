import RouteLang

// MARK: - StaticNamer

/// `namer NAME = static "10.0.0.1:8080, 10.0.0.2:8080*2"`: addresses
/// written inline. `/#/NAME/<rest>` binds to all of them, with residual
/// `/<rest>`, the way `/$/inet` binds one address.
public struct StaticNamer: DiscoveryNamer {
    public let name: String
    public let endpoints: [Endpoint]
    public let report: NamerReport

    /// Nil when the addresses do not parse (the checker reports them first).
    public init?(name: String, addresses: String) {
        guard case .success(let parsed) = LiteralParser.staticAddresses(addresses) else { return nil }
        self.name = name
        endpoints = parsed.map { Endpoint(host: $0.address.host, port: $0.address.port, weight: $0.weight) }
        report = NamerReport(kind: .static, source: addresses, state: .ok, services: ["": endpoints], problems: [])
    }

    public func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        .leaf(.bound(BoundName(id: Path(["#", name]), residual: path, endpoints: endpoints)))
    }
}
