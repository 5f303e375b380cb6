import Engine
import RouteLang

// MARK: - SnapshotBuilder

/// Turns a rule file on disk into a routing snapshot: read, lint, compile,
/// load the namers' current answers. Used by the CLI now and by reloads.
public enum SnapshotBuilder {
    public struct Built: Sendable {
        public var lint: LintResult
        /// Present when the file has no errors.
        public var snapshot: RoutingSnapshot?
    }

    /// - Parameters: see `RuleLinter.lint`; `keepingLoops` is for `explain`
    ///   only, `readDiscovery` for the CLI (the proxy reports namers at run time).
    public static func build(_ path: String, errorLimit: Int? = nil, generation: UInt64 = 0, keepingLoops: Bool = false,
                             readDiscovery: Bool = false) throws -> Built {
        try build(RuleFile(path: path), errorLimit: errorLimit, generation: generation, keepingLoops: keepingLoops, readDiscovery: readDiscovery)
    }

    /// The same from any rule source; `watched`: what the runtime's watches heard.
    public static func build(_ source: any RuleSource, errorLimit: Int? = nil, generation: UInt64 = 0, keepingLoops: Bool = false,
                             readDiscovery: Bool = false, watched: WatchedSources? = nil) throws -> Built {
        try build(source.read(), baseDirectory: source.baseDirectory, errorLimit: errorLimit, generation: generation,
                  keepingLoops: keepingLoops, readDiscovery: readDiscovery, watched: watched)
    }

    /// The same from text already read (a reload compares it with the last first).
    public static func build(_ file: SourceFile, baseDirectory: String, errorLimit: Int? = nil, generation: UInt64 = 0,
                             keepingLoops: Bool = false, readDiscovery: Bool = false, watched: WatchedSources? = nil) -> Built {
        let lint = RuleLinter.lint(file, errorLimit: errorLimit, keepingLoops: keepingLoops, baseDirectory: baseDirectory,
                                   readDiscovery: readDiscovery)
        guard let config = lint.config else { return Built(lint: lint, snapshot: nil) }
        return Built(lint: lint, snapshot: RoutingSnapshot(config: config, namers: NamerKinds.table(for: config, watched: watched),
                                                           generation: generation))
    }
}
