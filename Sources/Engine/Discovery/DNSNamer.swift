import Foundation
import RouteLang
import Synchronization

// MARK: - DNSNamer

/// `namer NAME = dns "SUFFIX" [srv] [port N] [resolver HOST:PORT] [refresh D]`:
/// `/#/NAME/LABEL/<rest>` binds to the addresses of `LABEL.SUFFIX` (A and
/// AAAA with `port`, or SRV targets with their ports and weights), with
/// residual `/<rest>`.
///
/// The request path reads a snapshot and never waits for DNS: the names the
/// dtab spells out are resolved before the first request, others the first
/// time a request asks (that request fails with 502 "resolving"; the next
/// poll, within a second, resolves it). Answers are kept for the shorter of
/// their TTL and `refresh` (default 5s). A name that stops resolving keeps
/// its last good set (stale); one that does not exist is neg.
public struct DNSNamer: DiscoveryNamer {
    /// Labels asked for by requests, shared by every snapshot of one namer.
    public final class Wanted: Sendable {
        let labels = Mutex<Set<String>>([])
        public init() {}
        public func insert(_ label: String) { _ = labels.withLock { $0.insert(label) } }
        public var all: Set<String> { labels.withLock { $0 } }
    }

    public struct Answer: Sendable, Hashable {
        public var endpoints: [Endpoint]
        /// When it must be asked again (seconds since 1970).
        public var expires: Double
        /// Why the last try failed, when the endpoints are a kept last good set.
        public var problem: String?
    }

    public let name: String
    public let suffix: String
    public let options: [String: String]
    public let answers: [String: Answer]
    public let wanted: Wanted

    public static let defaultRefresh: Double = 5

    public var report: NamerReport {
        let problems = answers.compactMap { label, answer in answer.problem.map { "\(fullName(label)): \($0)" } }.sorted()
        let resolved = answers.filter { !$0.value.endpoints.isEmpty || $0.value.problem == nil }
        let state: NamerReport.State = answers.isEmpty ? .pending : problems.isEmpty ? .ok : resolved.isEmpty ? .failed : .stale
        return NamerReport(kind: .dns, source: suffix, state: state, services: answers.mapValues(\.endpoints), problems: problems)
    }

    public func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        let label = path.labels.first ?? ""
        guard let answer = answers[label] else {
            wanted.insert(label)
            throw NamerFailure("dns: resolving \(fullName(label)); try again")
        }
        if answer.endpoints.isEmpty {
            if let problem = answer.problem { throw NamerFailure("dns: \(fullName(label)): \(problem)") }
            return .neg
        }
        let id = label.isEmpty ? Path(["#", name]) : Path(["#", name, label])
        return .leaf(.bound(BoundName(id: id, residual: path.dropFirst(label.isEmpty ? 0 : 1), endpoints: answer.endpoints)))
    }

    func fullName(_ label: String) -> String {
        label.isEmpty ? suffix : suffix.isEmpty ? label : "\(label).\(suffix)"
    }

    // MARK: Loading

    /// Resolves the labels due: every wanted or dtab-named label without
    /// an answer, or whose answer expired. Blocking; off the event loops.
    public static func load(_ config: NamerConfig, labels: Set<String>, previous: DNSNamer?, now: Double = Date().timeIntervalSince1970)
        -> DNSNamer {
        let wanted = previous?.wanted ?? Wanted()
        var answers = previous?.answers ?? [:]
        let refresh = config.options["refresh"].flatMap { try? LiteralParser.duration($0).get() }
            .map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? defaultRefresh
        let server = config.options["resolver"].flatMap { try? LiteralParser.address($0).get() }.map { ($0.host, $0.port) }
        let port = config.options["port"].flatMap(Int.init)
        let srv = config.options["srv"] != nil
        let naming = DNSNamer(name: config.name, suffix: config.argument, options: config.options, answers: [:], wanted: wanted)
        for label in labels.union(wanted.all) where (answers[label]?.expires ?? 0) <= now {
            do {
                let records = try DNSResolver.resolve(naming.fullName(label), kind: srv ? .service : .address, server: server)
                let endpoints = records.compactMap { record -> Endpoint? in
                    guard let recordPort = record.port ?? port else { return nil }
                    return Endpoint(host: record.host, port: recordPort, weight: record.weight)
                }
                let ttl = records.map { Double($0.ttl) }.min() ?? refresh
                answers[label] = Answer(endpoints: Array(Set(endpoints)).sorted { $0.description < $1.description },
                                        expires: now + max(0.5, min(refresh, ttl)), problem: nil)
            } catch {
                // Trust: an answer once given is kept while the source cannot be asked.
                let kept = answers[label]?.endpoints ?? []
                answers[label] = Answer(endpoints: kept, expires: now + min(refresh, 1), problem: error.description)
            }
        }
        return DNSNamer(name: config.name, suffix: config.argument, options: config.options, answers: answers, wanted: wanted)
    }

    /// Changes when a label is due again or a request asked for a new one.
    public func fingerprint(now: Double = Date().timeIntervalSince1970) -> [String: String] {
        let due = answers.values.contains { $0.expires <= now }
        let missing = wanted.all.subtracting(answers.keys)
        return ["due": due ? "\(now)" : "", "missing": missing.sorted().joined(separator: ",")]
    }
}
