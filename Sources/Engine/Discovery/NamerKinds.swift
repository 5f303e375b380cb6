import RouteLang

// MARK: - NamerKinds

/// The one place that knows every namer kind: how to load a fresh answer
/// from its source (given the previous one, for last-good-set semantics),
/// and how to tell cheaply whether the source changed. Adding a kind
/// touches this file and the kind's own namer.
public enum NamerKinds {
    /// A fresh snapshot of one namer's source.
    public static func load(_ config: NamerConfig, previous: (any DiscoveryNamer)?) -> any DiscoveryNamer {
        switch config.kind {
        case .files:
            return FilesNamer.load(name: config.name, directory: config.argument, previous: previous as? FilesNamer)
        case .static:
            // The checker has parsed the addresses; a config that bypassed it binds to nothing.
            return StaticNamer(name: config.name, addresses: config.argument)
                ?? FilesNamer(name: config.name, directory: "", services: [:], problem: "invalid static addresses")
        }
    }

    /// Changes whenever the source's answer may have changed.
    public static func fingerprint(_ config: NamerConfig) -> [String: String] {
        switch config.kind {
        case .files: return FilesNamer.fingerprint(directory: config.argument)
        case .static: return ["": config.argument]
        }
    }

    /// Every namer of a config, each loaded with its previous snapshot (if any).
    public static func table(for config: RoutingConfig, previous: NamerTable? = nil) -> NamerTable {
        var namers: [String: any Namer] = [:]
        for namer in config.namers {
            namers[namer.name] = load(namer, previous: previous?.namers[namer.name] as? any DiscoveryNamer)
        }
        return NamerTable(namers)
    }
}
