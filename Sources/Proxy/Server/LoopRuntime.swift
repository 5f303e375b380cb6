import Engine
import Logging
import NIOCore
import RouteLang

// MARK: - LoopRuntime

/// The state one event loop owns: its router (and binding cache), its
/// backend connection pool and its balancers. Everything a request
/// touches lives here, so the request path takes no lock.
final class LoopRuntime {
    let eventLoop: EventLoop
    let router: Router
    let pool: ConnectionPool
    var balancers = DestinationBalancers()
    var random = SystemRandomNumberGenerator()
    /// The data-plane settings: the file's `limits` block, else the server's defaults.
    private(set) var options: ProxyOptions
    let defaultOptions: ProxyOptions
    let logger: Logger
    let metrics: LoopMetrics
    /// Open client connections, so a drain can close idle ones and wait for the rest.
    var connections: [ObjectIdentifier: ProxyConnection] = [:]
    /// Set when the server stops: connections close after their current exchange.
    var draining = false

    init(eventLoop: EventLoop, snapshot: RoutingSnapshot, options: ProxyOptions, logger: Logger, metrics: ProxyMetrics) {
        self.eventLoop = eventLoop
        let effective = snapshot.config.limits.map(ProxyOptions.init) ?? options
        self.router = Router(snapshot: snapshot)
        self.pool = ConnectionPool(eventLoop: eventLoop, connectTimeout: effective.connectTimeout, idleTimeout: effective.poolIdleTimeout)
        self.options = effective
        self.defaultOptions = options
        self.logger = logger
        self.metrics = LoopMetrics(metrics)
        startSweeper()
    }
}

extension LoopRuntime {
    /// Every 100 ms, acts on connections whose head or body deadline
    /// passed: one timer per loop instead of one per request.
    func startSweeper() {
        let interval = TimeAmount.milliseconds(100)
        func schedule() {
            eventLoop.assumeIsolated().scheduleTask(in: interval) { [weak self] in
                guard let self else { return }
                let now = NIODeadline.now()
                for connection in self.connections.values { connection.checkDeadlines(now: now) }
                schedule()
            }
        }
        schedule()
    }

    /// Switches to a new snapshot (a reload or a discovery change).
    func update(_ snapshot: RoutingSnapshot) {
        router.update(snapshot)
        options = snapshot.config.limits.map(ProxyOptions.init) ?? defaultOptions
        pool.connectTimeout = options.connectTimeout
        pool.idleTimeout = options.poolIdleTimeout
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
    /// The largest request body; nil is unlimited.
    public var maxBodySize: UInt64?
    /// How long a client may pause mid-body before it gets 408.
    public var bodyIdleTimeout: TimeAmount

    /// The settings a `limits { }` block gives.
    public init(_ limits: ServerLimits) {
        self.init(limits: HTTP1Limits(maxHeadBytes: limits.maxHeadSize, maxRequestLineBytes: limits.maxRequestLine,
                                      maxHeaderCount: limits.maxHeaders),
                  headerReadTimeout: .nanoseconds(ProxyConnection.nanoseconds(limits.headerReadTimeout)),
                  connectTimeout: .nanoseconds(ProxyConnection.nanoseconds(limits.connectTimeout)),
                  poolIdleTimeout: .nanoseconds(ProxyConnection.nanoseconds(limits.poolIdleTimeout)),
                  maxBodySize: limits.maxBodySize.map(UInt64.init),
                  bodyIdleTimeout: .nanoseconds(ProxyConnection.nanoseconds(limits.bodyIdleTimeout)))
    }

    public init(limits: HTTP1Limits = HTTP1Limits(), headerReadTimeout: TimeAmount = .seconds(10),
                connectTimeout: TimeAmount = .seconds(2), poolIdleTimeout: TimeAmount = .seconds(30),
                maxBodySize: UInt64? = nil, bodyIdleTimeout: TimeAmount = .seconds(60)) {
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.connectTimeout = connectTimeout
        self.poolIdleTimeout = poolIdleTimeout
        self.maxBodySize = maxBodySize
        self.bodyIdleTimeout = bodyIdleTimeout
    }
}
