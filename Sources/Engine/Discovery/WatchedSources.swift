import RouteLang
import Synchronization

// MARK: - WatchedSources

/// The latest answer of every discovery source that pushes changes (etcd)
/// rather than being read on demand: its watch, in the runtime, publishes
/// here; loading the namers reads here. Neither side waits for the other.
public final class WatchedSources: Sendable {
    public struct Answer: Sendable, Hashable {
        public var state: NamerReport.State
        public var services: [String: [Endpoint]]
        public var problems: [String]
        /// The source's own version of the answer (etcd's revision).
        public var revision: Int64

        public init(state: NamerReport.State, services: [String: [Endpoint]], problems: [String], revision: Int64) {
            self.state = state
            self.services = services
            self.problems = problems
            self.revision = revision
        }
    }

    private let answers = Mutex<[String: (answer: Answer, version: UInt64)]>([:])

    public init() {}

    /// The identity of a namer's source: two namers that watch the same
    /// thing share one watch and one answer.
    public static func key(_ config: NamerConfig) -> String {
        ([config.kind.rawValue, config.argument] + config.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .joined(separator: " ")
    }

    public func publish(_ key: String, _ answer: Answer) {
        answers.withLock { answers in
            let version = (answers[key]?.version ?? 0) + 1
            answers[key] = (answer, version)
        }
    }

    public func latest(_ key: String) -> Answer? { answers.withLock { $0[key]?.answer } }

    /// Counts publications, so a reader can tell cheaply whether anything changed.
    public func version(_ key: String) -> UInt64 { answers.withLock { $0[key]?.version ?? 0 } }

    public func remove(_ key: String) { _ = answers.withLock { $0.removeValue(forKey: key) } }
}
