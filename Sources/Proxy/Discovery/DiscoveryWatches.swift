import Engine
import NIOConcurrencyHelpers
import RouteLang

// MARK: - DiscoveryWatches

/// The watches a running proxy keeps open: one per etcd source its config
/// names (shared by namers that name the same one), and the rule key when
/// the config itself lives in etcd. Each publishes what it hears
/// (`WatchedSources`, `EtcdRuleKey`) and calls `changed`, which makes the
/// runtime look again; nothing here touches the request path.
final class DiscoveryWatches: Sendable {
    let watched = WatchedSources()
    let changed: @Sendable () -> Void
    private let tasks = NIOLockedValueBox<[String: Task<Void, Never>]>([:])

    init(changed: @escaping @Sendable () -> Void) {
        self.changed = changed
    }

    /// Starts a watch for every etcd namer of `config` not watched yet, and
    /// stops those the config no longer names.
    func sync(_ config: RoutingConfig) {
        let wanted = Dictionary(config.namers.filter { $0.kind == .etcd }.map { (WatchedSources.key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let stopped = tasks.withLockedValue { tasks -> [String] in
            let gone = tasks.keys.filter { $0.hasPrefix("namer ") && wanted["\($0.dropFirst(6))"] == nil }
            for key in gone { tasks.removeValue(forKey: key)?.cancel() }
            return gone
        }
        for key in stopped { watched.remove(String(key.dropFirst(6))) }
        for (key, namer) in wanted {
            start("namer " + key) { [watched, changed] in
                let prefix = EtcdNamer.prefix(namer)
                await EtcdWatch.run(EtcdClient(base: namer.argument), key: prefix, rangeEnd: EtcdClient.prefixEnd(prefix)) { event in
                    watched.publish(key, Self.answer(event, prefix: prefix, previous: watched.latest(key)))
                    changed()
                }
            }
        }
    }

    /// Follows the key a config is read from.
    func watchRules(_ source: EtcdRuleKey) {
        start("rules " + source.name) { [changed] in
            await EtcdWatch.run(source.client, key: source.key, rangeEnd: nil) { event in
                guard case .current(let keyspace) = event else { return }
                let value = keyspace.values[source.key].map { String(decoding: $0, as: UTF8.self) }
                source.update(EtcdRuleKey.Latest(text: value, revision: keyspace.revision))
                changed()
            }
        }
    }

    func stop() {
        tasks.withLockedValue { tasks in
            for task in tasks.values { task.cancel() }
            tasks.removeAll()
        }
    }

    private func start(_ key: String, _ body: @escaping @Sendable () async -> Void) {
        tasks.withLockedValue { tasks in
            if tasks[key] == nil { tasks[key] = Task(operation: body) }
        }
    }

    /// Trust: an answer once given is kept (stale) while etcd cannot be asked.
    static func answer(_ event: EtcdWatch.Event, prefix: String, previous: WatchedSources.Answer?) -> WatchedSources.Answer {
        switch event {
        case .current(let keyspace):
            let (services, problems) = keyspace.services(prefix: prefix)
            return WatchedSources.Answer(state: .ok, services: services, problems: problems, revision: keyspace.revision)
        case .unreachable(let problem):
            guard let previous, previous.state == .ok || previous.state == .stale else {
                return WatchedSources.Answer(state: .failed, services: [:], problems: [problem], revision: 0)
            }
            return WatchedSources.Answer(state: .stale, services: previous.services, problems: [problem], revision: previous.revision)
        }
    }
}
