import RouteLang

// MARK: - EtcdNamer

/// `namer NAME = etcd "http://HOST:PORT" [prefix "/services/"]`:
/// `/#/NAME/SERVICE/<rest>` binds to the registrations under
/// `PREFIX SERVICE/` (one key per endpoint, `{"host","port","weight"}`),
/// with residual `/<rest>`.
///
/// A snapshot of what the runtime's watch last published (`WatchedSources`):
/// a service with no keys is neg (etcd said so), so a dtab alternative
/// takes over; before etcd ever answered, a name fails with 502; after, an
/// unreachable etcd leaves the last good set in use (stale).
public struct EtcdNamer: DiscoveryNamer {
    public static let defaultPrefix = "/services/"

    public let name: String
    public let report: NamerReport
    public let revision: Int64

    public init(_ config: NamerConfig, answer: WatchedSources.Answer?) {
        name = config.name
        revision = answer?.revision ?? 0
        let source = "\(config.argument) prefix \(Self.prefix(config))"
        report = NamerReport(kind: .etcd, source: source, state: answer?.state ?? .pending, services: answer?.services ?? [:],
                             problems: answer?.problems ?? ["no answer from etcd yet (it is asked by a running proxy only)"])
    }

    public static func prefix(_ config: NamerConfig) -> String { config.options["prefix"] ?? defaultPrefix }

    public func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        if report.state == .pending || report.state == .failed {
            throw NamerFailure("etcd \(report.source): \(report.problems.first ?? "no answer yet")")
        }
        guard let service = path.labels.first, let endpoints = report.services[service], !endpoints.isEmpty else { return .neg }
        return .leaf(.bound(BoundName(id: Path(["#", name, service]), residual: path.dropFirst(1), endpoints: endpoints)))
    }
}
