import Engine
import Foundation
import Logging
import NIOConcurrencyHelpers
import RouteLang

// MARK: - ConfigRuntime

/// Owns the running configuration: reloads the rules (SIGHUP, a change on
/// disk, a new etcd revision), refreshes discovery when a namer's source
/// changed, and keeps what `/config` reports.
///
/// A reload lints and compiles off the request path; only a file without
/// errors is applied (as a new snapshot handed to every event loop); a file
/// with errors is rejected, its diagnostics logged and kept for `/config`,
/// and the old snapshot keeps serving.
public final class ConfigRuntime: Sendable {
    public struct ReloadRecord: Sendable {
        public var trigger: String
        public var at: Date
        public var applied: Bool
        public var errors: Int
        public var warnings: Int
        /// The rendered diagnostics (text format).
        public var diagnostics: String
    }

    public struct Status: Sendable {
        public var path: String
        public var source: String
        /// A hash of the applied source, to tell versions apart.
        public var version: String
        public var loadedAt: Date
        public var generation: UInt64
        public var lastReload: ReloadRecord?
        public var reloadsApplied: Int
        public var reloadsRejected: Int
    }

    struct State {
        var snapshot: RoutingSnapshot
        var status: Status
        var fileFingerprint: String
        /// The content applied or rejected last: its version, or why it
        /// could not be read. A trigger that finds the same changes nothing.
        var lastSeenContent: String
        var namerFingerprints: [String: [String: String]]
        /// Namers that have produced a set of services at least once.
        var namersLoaded: Set<String> = []
    }

    public let source: any RuleSource
    public var path: String { source.name }
    let server: ProxyServer
    let logger: Logger
    /// The etcd watches (started by the runtime); what they heard is read when namers are loaded.
    let watches: DiscoveryWatches?
    var watched: WatchedSources? { watches?.watched }
    private let state: NIOLockedValueBox<State>
    /// One check or reload at a time, so a slower one never installs an older answer over a newer one.
    private let changes = NIOLock()

    init(source: any RuleSource, lint: LintResult, snapshot: RoutingSnapshot, server: ProxyServer, logger: Logger,
                watches: DiscoveryWatches? = nil) {
        self.source = source
        self.server = server
        self.logger = logger
        self.watches = watches
        let status = Status(path: source.name, source: lint.source.text, version: Self.version(lint.source.text), loadedAt: Date(),
                            generation: snapshot.generation, lastReload: nil, reloadsApplied: 0, reloadsRejected: 0)
        state = NIOLockedValueBox(State(snapshot: snapshot, status: status, fileFingerprint: source.fingerprint(),
                                        lastSeenContent: status.version,
                                        namerFingerprints: NamerKinds.fingerprints(snapshot.config, current: snapshot.namers,
                                                                                   watched: watches?.watched)))
        server.metrics.configInForce(version: status.version, source: source.name)
        noteNamers(snapshot)
    }

    public var snapshot: RoutingSnapshot { state.withLockedValue { $0.snapshot } }
    public var status: Status { state.withLockedValue { $0.status } }

    // MARK: Discovery readiness

    /// The namers of the running config that have never produced a set of
    /// services, with why: while there is one, `/ready` answers 503.
    public var namersWaiting: [String: String] {
        let (snapshot, loaded) = state.withLockedValue { ($0.snapshot, $0.namersLoaded) }
        var waiting: [String: String] = [:]
        for (name, namer) in snapshot.namers.namers where !loaded.contains(name) {
            waiting[name] = (namer as? any DiscoveryNamer)?.report.problems.first ?? "no answer yet"
        }
        return waiting
    }

    /// Records which namers answered, and warns of those that cannot.
    private func noteNamers(_ snapshot: RoutingSnapshot) {
        for (name, namer) in snapshot.namers.namers {
            guard let report = (namer as? any DiscoveryNamer)?.report else { continue }
            server.metrics.recordNamer(name, report)
            switch report.state {
            case .failed, .pending:
                logger.warning("namer cannot be read: every name it binds fails with 502",
                               metadata: ["namer": "\(name)", "problem": "\(report.problems.first ?? "")"])
            case .stale:
                logger.warning("namer cannot be read: serving its last good set",
                               metadata: ["namer": "\(name)", "problem": "\(report.problems.first ?? "")"])
                _ = state.withLockedValue { $0.namersLoaded.insert(name) }
            case .ok:
                for problem in report.problems {
                    logger.warning("endpoint file problem: its last good set is kept", metadata: ["namer": "\(name)", "problem": "\(problem)"])
                }
                _ = state.withLockedValue { $0.namersLoaded.insert(name) }
            }
        }
    }

    // MARK: Reload

    /// What a reload came to. Triggers that find the content applied or
    /// rejected last (SIGHUP after the watcher already reloaded, a `touch`)
    /// are `unchanged`: generation, counters and logs count changes.
    public enum ReloadResult: Sendable, Hashable {
        case applied
        case rejected
        case unchanged
    }

    /// Reads, lints and compiles the rules; applies them when they have no
    /// errors. Unchanged rules still look for discovery changes (SIGHUP
    /// asks for both).
    @discardableResult
    public func reload(trigger: String) -> ReloadResult {
        changes.withLock {
            let result = reloadLocked(trigger: trigger)
            if result == .unchanged {
                logger.debug("rules unchanged since the last reload", metadata: ["trigger": "\(trigger)"])
                refreshDiscoveryLocked()
            }
            return result
        }
    }

    private func reloadLocked(trigger: String) -> ReloadResult {
        let sourceFingerprint = source.fingerprint()
        let file: SourceFile
        do {
            file = try source.read()
        } catch {
            let content = "unreadable: \(error)"
            guard markSeen(content, fingerprint: sourceFingerprint) else { return .unchanged }
            reject(trigger: trigger, diagnostics: "\(error)\n", errors: 1, warnings: 0)
            return .rejected
        }
        let version = Self.version(file.text)
        guard markSeen(version, fingerprint: sourceFingerprint) else { return .unchanged }
        let generation = state.withLockedValue { $0.status.generation } + 1
        let built = SnapshotBuilder.build(file, baseDirectory: source.baseDirectory, generation: generation, watched: watched)
        let rendered = DiagnosticRenderer().render(built.lint.diagnostics.sorted, in: built.lint.source)
        guard let snapshot = built.snapshot else {
            reject(trigger: trigger, diagnostics: rendered, errors: built.lint.diagnostics.errorCount,
                   warnings: built.lint.diagnostics.warningCount)
            return .rejected
        }
        let previous = state.withLockedValue { $0.snapshot.config }
        if snapshot.config.listeners != previous.listeners {
            logger.warning("listener changes take effect after a restart", metadata: ["file": "\(path)"])
        }
        if snapshot.config.tracing != previous.tracing {
            logger.warning("tracing changes take effect after a restart", metadata: ["file": "\(path)"])
        }
        server.update(snapshot)
        watches?.sync(snapshot.config)
        server.metrics.reloads(result: "applied").increment()
        state.withLockedValue { state in
            state.snapshot = snapshot
            state.namerFingerprints = NamerKinds.fingerprints(snapshot.config, current: snapshot.namers, watched: watched)
            state.status.source = file.text
            state.status.version = version
            state.status.loadedAt = Date()
            state.status.generation = generation
            state.status.reloadsApplied += 1
            state.status.lastReload = ReloadRecord(trigger: trigger, at: Date(), applied: true, errors: 0,
                                                   warnings: built.lint.diagnostics.warningCount, diagnostics: rendered)
        }
        server.metrics.configInForce(version: version, source: source.name)
        logger.info("configuration reloaded", metadata: ["trigger": "\(trigger)", "generation": "\(generation)", "version": "\(version)",
                                                         "warnings": "\(built.lint.diagnostics.warningCount)"])
        noteNamers(snapshot)
        return .applied
    }

    /// Records `content` (the text's version, or the read error) as the
    /// last seen; false when it is what was applied or rejected last.
    private func markSeen(_ content: String, fingerprint: String) -> Bool {
        state.withLockedValue { state in
            state.fileFingerprint = fingerprint
            guard content != state.lastSeenContent else { return false }
            state.lastSeenContent = content
            return true
        }
    }

    private func reject(trigger: String, diagnostics: String, errors: Int, warnings: Int) {
        server.metrics.reloads(result: "rejected").increment()
        state.withLockedValue { state in
            state.status.reloadsRejected += 1
            state.status.lastReload = ReloadRecord(trigger: trigger, at: Date(), applied: false, errors: errors,
                                                   warnings: warnings, diagnostics: diagnostics)
        }
        logger.error("configuration rejected; the previous one keeps serving",
                     metadata: ["trigger": "\(trigger)", "errors": "\(errors)", "warnings": "\(warnings)",
                                "first": "\(diagnostics.split(separator: "\n").first ?? "")", "details": "GET /config"])
    }

    // MARK: Watching

    /// Reloads when the rules changed, and refreshes discovery when a
    /// namer's source changed. Called by the watches and a 1s poll.
    public func checkForChanges() {
        changes.withLock {
            let fileFingerprint = state.withLockedValue { $0.fileFingerprint }
            if source.fingerprint() != fileFingerprint, reloadLocked(trigger: source.changeTrigger()) != .unchanged { return }
            refreshDiscoveryLocked()
        }
    }

    /// Takes the namers' new answers into a new snapshot when a namer's source changed.
    private func refreshDiscoveryLocked() {
        let (namerFingerprints, snapshot) = state.withLockedValue { ($0.namerFingerprints, $0.snapshot) }
        let current = NamerKinds.fingerprints(snapshot.config, current: snapshot.namers, watched: watched)
        guard current != namerFingerprints else { return }
        let generation = state.withLockedValue { state -> UInt64 in
            state.status.generation += 1
            state.namerFingerprints = current
            return state.status.generation
        }
        let refreshed = snapshot.replacingNamers(NamerKinds.table(for: snapshot.config, previous: snapshot.namers, watched: watched),
                                                 generation: generation)
        let settled = NamerKinds.settled(before: current, after: refreshed.namers, config: refreshed.config)
        state.withLockedValue { state in
            state.snapshot = refreshed
            state.namerFingerprints = settled
        }
        server.update(refreshed)
        logger.info("discovery changed", metadata: ["generation": "\(generation)"])
        noteNamers(refreshed)
    }

    /// FNV-1a 64 of the source, as hex.
    static func version(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
