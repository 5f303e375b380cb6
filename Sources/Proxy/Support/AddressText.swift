import NIOCore

// MARK: - Address text

extension SocketAddress {
    /// `127.0.0.1:4140` or `[::1]:4140`: how operators write addresses
    /// (NIO's own description is `[IPv4]127.0.0.1/127.0.0.1:4140`).
    public var hostPort: String {
        guard let ip = ipAddress, let port else { return description }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

// MARK: - BindError

/// A listener that could not be bound, naming the address and the reason
/// in words (`cannot listen on 127.0.0.1:4140: address already in use`).
public struct BindError: Error, CustomStringConvertible {
    public var what: String
    public var host: String
    public var port: Int
    public var reason: String

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "cannot listen on \(address) (\(what)): \(reason)"
    }

    public init(what: String, host: String, port: Int, error: Error) {
        self.what = what
        self.host = host
        self.port = port
        self.reason = ErrorWords.describe(error)
    }
}
