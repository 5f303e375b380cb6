import Foundation
import NIOConcurrencyHelpers
import RouteLang

// MARK: - EtcdRuleKey

/// `etcd://HOST:PORT/KEY`: rule text held in one etcd key. The runtime's
/// watch (`DiscoveryWatches.watchRules`) keeps `latest` current; a reload
/// reads it like a file. Until a revision is read, or after the key is
/// deleted, reading fails and the running config keeps serving.
public final class EtcdRuleKey: RuleSource {
    public struct Latest: Sendable, Hashable {
        /// Nil while the key does not exist.
        public var text: String?
        /// The key's modification revision (0: never seen).
        public var revision: Int64
    }

    public let name: String
    public let client: EtcdClient
    public let key: String
    let latest: NIOLockedValueBox<Latest>

    /// Parses `etcd://HOST:PORT/KEY`; nil when the URL is not of that form.
    public init?(url: String) {
        guard url.hasPrefix("etcd://") else { return nil }
        let rest = url.dropFirst("etcd://".count)
        guard let slash = rest.firstIndex(of: "/"), case .success = LiteralParser.address(String(rest[..<slash])),
              rest[slash...].count > 1 else { return nil }
        name = url
        client = EtcdClient(base: "http://" + rest[..<slash])
        key = String(rest[slash...])
        latest = NIOLockedValueBox(Latest(text: nil, revision: 0))
    }

    public static let form = "etcd://HOST:PORT/KEY, e.g. etcd://127.0.0.1:2379/switchyard/config/edge"

    /// Reads the key once (for `run` to start from, and for `push`).
    public func fetch() async throws -> Latest {
        let answer = try await client.range(key)
        let found = answer.kvs.first.map { Latest(text: String(decoding: $0.value, as: UTF8.self), revision: $0.modRevision) }
        return found ?? Latest(text: nil, revision: 0)
    }

    /// Reads the text to start from: a proxy does not start on nothing, so
    /// an unreachable etcd or a missing key is an error.
    public func open() async throws {
        let first = try await fetch()
        guard first.text != nil else {
            throw RuleFileError(path: name, reason: "no such key in etcd; write one with `switchyard push FILE \(name)`")
        }
        update(first)
    }

    /// A listing that repeats the text already read is no change.
    func update(_ value: Latest) {
        latest.withLockedValue { latest in
            if latest.text != value.text { latest = value }
        }
    }

    // MARK: RuleSource

    public var baseDirectory: String { FileManager.default.currentDirectoryPath }

    public func read() throws -> SourceFile {
        let current = latest.withLockedValue { $0 }
        guard let text = current.text else {
            throw RuleFileError(path: name, reason: current.revision == 0 ? "no such key in etcd" : "the key was deleted")
        }
        return SourceFile(name: name, text: text)
    }

    public func fingerprint() -> String {
        let current = latest.withLockedValue { $0 }
        return "\(current.revision)\(current.text == nil ? " deleted" : "")"
    }

    public func changeTrigger() -> String { "etcd revision \(latest.withLockedValue { $0.revision })" }
}
