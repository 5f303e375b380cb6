import RouteLang

// MARK: - AddressOverrides

/// `--listen ADDR` and `--admin ADDR` on `run` and `demo`: where to listen
/// instead of what the rule file says, so two proxies (or a demo beside
/// other services) share a machine without editing the file. The i-th
/// `--listen` replaces the i-th listener's address and keeps its options
/// (TLS, overrides); a reload keeps the overrides, since listener changes
/// only take effect at a restart.
public struct AddressOverrides: Sendable, Hashable {
    public var listeners: [SocketAddress]
    public var admin: SocketAddress?

    public init(listeners: [SocketAddress] = [], admin: SocketAddress? = nil) {
        self.listeners = listeners
        self.admin = admin
    }

    public struct TooMany: Error, CustomStringConvertible {
        public var given: Int
        public var declared: Int
        public var description: String {
            "\(given) --listen addresses for \(declared) listener\(declared == 1 ? "" : "s") in the rule file: give at most one per `listen`"
        }
    }

    /// The file's listeners with their addresses replaced.
    public func listeners(_ declared: [ListenerConfig]) throws -> [ListenerConfig] {
        guard listeners.count <= declared.count else { throw TooMany(given: listeners.count, declared: declared.count) }
        var result = declared
        for (index, address) in listeners.enumerated() { result[index].address = address }
        return result
    }

    /// The admin address to bind.
    public func admin(_ declared: SocketAddress) -> SocketAddress {
        admin ?? declared
    }
}
