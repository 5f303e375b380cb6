import Foundation

// MARK: - EtcdKeyspace

/// What an etcd range and the watch after it say about the keys under one
/// prefix: each key's value and the revision the view is current to.
/// Applied in order it equals the server's state at `revision`, so a watch
/// resumed from `revision + 1` after a disconnect misses nothing.
public struct EtcdKeyspace: Sendable, Hashable {
    public enum Change: Sendable, Hashable {
        case put(key: String, value: [UInt8], revision: Int64)
        case delete(key: String, revision: Int64)
    }

    public private(set) var values: [String: [UInt8]]
    public private(set) var revision: Int64

    public init(values: [String: [UInt8]] = [:], revision: Int64) {
        self.values = values
        self.revision = revision
    }

    public mutating func apply(_ changes: [Change]) {
        for change in changes {
            switch change {
            case .put(let key, let value, let revision):
                values[key] = value
                self.revision = max(self.revision, revision)
            case .delete(let key, let revision):
                values[key] = nil
                self.revision = max(self.revision, revision)
            }
        }
    }

    // MARK: Services

    /// One endpoint key's value: `{"host": "10.0.0.1", "port": 8080, "weight": 2}`.
    struct Registration: Decodable {
        var host: String
        var port: Int
        var weight: Double?
    }

    /// Keys `PREFIX SERVICE/ID` grouped by service. A key that is not of
    /// that shape or whose value is not a registration is left out and
    /// named in `problems` (the other endpoints of its service still count).
    public func services(prefix: String) -> (services: [String: [Endpoint]], problems: [String]) {
        var services: [String: [Endpoint]] = [:]
        var problems: [String] = []
        let decoder = JSONDecoder()
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let parts = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            guard key.hasPrefix(prefix), parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                problems.append("\(key): not a key of the form \(prefix)SERVICE/ID")
                continue
            }
            guard let registration = try? decoder.decode(Registration.self, from: Data(value)),
                  !registration.host.isEmpty, (1...65535).contains(registration.port), (registration.weight ?? 1) >= 0 else {
                problems.append("\(key): value is not {\"host\": \"…\", \"port\": 1-65535, \"weight\": N}")
                continue
            }
            services[String(parts[0]), default: []].append(Endpoint(host: registration.host, port: registration.port,
                                                                     weight: registration.weight ?? 1))
        }
        return (services, problems)
    }
}
