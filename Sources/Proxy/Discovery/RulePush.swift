import Engine
import RouteLang

// MARK: - RulePush

/// `switchyard push`: lint a rule file as a reload would, and write it to
/// an etcd key with a compare-and-swap, so two operators pushing at once
/// cannot overwrite each other unseen.
public enum RulePush {
    public enum Outcome: Sendable, Equatable {
        /// The file has errors; nothing was written.
        case refused
        case written(revision: Int64)
        /// The key already holds this text.
        case unchanged(revision: Int64)
        /// The key moved past `expected` before the write; nothing was written.
        case conflict(expected: Int64, now: Int64)
    }

    /// - Parameter expectedRevision: the revision the edit started from;
    ///   nil: the one read just before writing.
    public static func push(_ path: String, to key: EtcdRuleKey, expectedRevision: Int64? = nil, errorLimit: Int? = nil) async throws
        -> (lint: LintResult, outcome: Outcome) {
        // Discovery is read where the proxies run, not here.
        let lint = try RuleFileLoader.lint(path, errorLimit: errorLimit, readDiscovery: false)
        guard lint.diagnostics.errorCount == 0 else { return (lint, .refused) }
        let current = try await key.fetch()
        if expectedRevision == nil, current.text == lint.source.text { return (lint, .unchanged(revision: current.revision)) }
        let expected = expectedRevision ?? current.revision
        guard let written = try await key.client.compareAndPut(key.key, value: lint.source.text, expectedRevision: expected) else {
            return (lint, .conflict(expected: expected, now: try await key.fetch().revision))
        }
        return (lint, .written(revision: written))
    }
}
