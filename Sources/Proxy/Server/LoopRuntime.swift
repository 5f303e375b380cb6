import Engine
import Logging
import NIOCore

// MARK: - LoopRuntime

/// The state one event loop owns: its router (and binding cache), its
/// backend connection pool and its endpoint picker. Everything a request
/// touches lives here, so the request path takes no lock.
final class LoopRuntime {
    let eventLoop: EventLoop
    let router: Router
    let pool: ConnectionPool
    var picker = EndpointPicker()
    let options: ProxyOptions
    let logger: Logger
    let metrics: LoopMetrics
    /// Open client connections, so a drain can close idle ones and wait for the rest.
    var connections: [ObjectIdentifier: ProxyConnection] = [:]
    /// Set when the server stops: connections close after their current exchange.
    var draining = false

    init(eventLoop: EventLoop, snapshot: RoutingSnapshot, options: ProxyOptions, logger: Logger, metrics: ProxyMetrics) {
        self.eventLoop = eventLoop
        self.router = Router(snapshot: snapshot)
        self.pool = ConnectionPool(eventLoop: eventLoop, connectTimeout: options.connectTimeout, idleTimeout: options.poolIdleTimeout)
        self.options = options
        self.logger = logger
        self.metrics = LoopMetrics(metrics)
    }
}

// MARK: - ProxyOptions

/// Data-plane settings that are not (yet) part of RouteLang.
public struct ProxyOptions: Sendable {
    public var limits: HTTP1Limits
    /// How long a client may take to send a request head, and how long an
    /// idle keep-alive connection stays open.
    public var headerReadTimeout: TimeAmount
    public var connectTimeout: TimeAmount
    public var poolIdleTimeout: TimeAmount

    public init(limits: HTTP1Limits = HTTP1Limits(), headerReadTimeout: TimeAmount = .seconds(10),
                connectTimeout: TimeAmount = .seconds(2), poolIdleTimeout: TimeAmount = .seconds(30)) {
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.connectTimeout = connectTimeout
        self.poolIdleTimeout = poolIdleTimeout
    }
}
