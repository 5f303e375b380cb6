import RouteLang

// MARK: - NamerKinds

/// The one place that knows every namer kind: how to load a fresh answer
/// from its source (given the previous one, for last-good-set semantics),
/// and how to tell cheaply whether the source changed. Adding a kind
/// touches this file and the kind's own namer.
public enum NamerKinds {
    /// A fresh snapshot of one namer's source. `labels`: the services the
    /// dtab names under it (`/#/NAME/LABEL`), for sources asked per name;
    /// `watched`: what the runtime's watches last heard, for sources that
    /// push (without it, as in the CLI, they are pending).
    public static func load(_ config: NamerConfig, previous: (any DiscoveryNamer)?, labels: Set<String> = [],
                            watched: WatchedSources? = nil) -> any DiscoveryNamer {
        switch config.kind {
        case .etcd:
            return EtcdNamer(config, answer: watched?.latest(WatchedSources.key(config)))
        case .dns:
            return DNSNamer.load(config, labels: labels, previous: previous as? DNSNamer)
        case .files:
            return FilesNamer.load(name: config.name, directory: config.argument, previous: previous as? FilesNamer)
        case .static:
            // The checker has parsed the addresses; a config that bypassed it binds to nothing.
            return StaticNamer(name: config.name, addresses: config.argument)
                ?? FilesNamer(name: config.name, directory: "", services: [:], problem: "invalid static addresses")
        }
    }

    /// Changes whenever the source's answer may have changed (`current`:
    /// the snapshot in use, for sources that are asked again on a clock).
    public static func fingerprint(_ config: NamerConfig, current: (any Namer)? = nil, watched: WatchedSources? = nil) -> [String: String] {
        switch config.kind {
        case .etcd: return ["version": "\(watched?.version(WatchedSources.key(config)) ?? 0)"]
        case .dns: return (current as? DNSNamer)?.fingerprint() ?? ["": "new"]
        case .files: return FilesNamer.fingerprint(directory: config.argument)
        case .static: return ["": config.argument]
        }
    }

    /// Every namer of a config, each loaded with its previous snapshot (if any).
    public static func table(for config: RoutingConfig, previous: NamerTable? = nil, watched: WatchedSources? = nil) -> NamerTable {
        var namers: [String: any Namer] = [:]
        for namer in config.namers {
            namers[namer.name] = load(namer, previous: previous?.namers[namer.name] as? any DiscoveryNamer,
                                      labels: labels(of: namer.name, in: config), watched: watched)
        }
        return NamerTable(namers)
    }

    /// Every namer's fingerprint, against the snapshot in use.
    public static func fingerprints(_ config: RoutingConfig, current: NamerTable? = nil, watched: WatchedSources? = nil)
        -> [String: [String: String]] {
        Dictionary(uniqueKeysWithValues: config.namers.map {
            ($0.name, fingerprint($0, current: current?.namers[$0.name], watched: watched))
        })
    }

    /// The fingerprints to compare the next check with, after loading with
    /// `before`: a source asked on a clock (DNS) is due again only after the
    /// answer just loaded, so it takes the fingerprint of `after`; the others
    /// keep the one taken before loading, so a change made while loading is
    /// seen by the next check.
    public static func settled(before: [String: [String: String]], after: NamerTable, config: RoutingConfig) -> [String: [String: String]] {
        var settled = before
        for namer in config.namers where namer.kind == .dns {
            settled[namer.name] = fingerprint(namer, current: after.namers[namer.name])
        }
        return settled
    }

    /// The labels `/#/NAME/LABEL` the config's dtabs name.
    static func labels(of namer: String, in config: RoutingConfig) -> Set<String> {
        var labels: Set<String> = []
        let dtabs = [config.dtab] + config.routes.map(\.dtab)
        for dentry in dtabs.flatMap(\.dentries) {
            for leaf in dentry.tree.leaves where leaf.labels.count >= 3 && leaf.labels[0] == "#" && leaf.labels[1] == namer {
                labels.insert(leaf.labels[2])
            }
        }
        return labels
    }
}
