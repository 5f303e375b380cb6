import Engine
import Logging
import NIOCore
import RouteLang
import Tracing

// MARK: - LoopRuntime

/// The state one event loop owns: its router (and binding cache), its
/// backend connection pool and its destinations (balancers, budgets, a
/// copy of the accrual gates). Everything a request touches lives here;
/// the one shared thing, failure accrual, is read without a lock.
final class LoopRuntime {
    let eventLoop: EventLoop
    let router: Router
    let pool: ConnectionPool
    var destinations: Destinations
    /// Balancer draws and retry jitter (no system call per draw).
    var random = SplitMix64()
    /// This loop's number, for the load figures it publishes.
    let index: Int
    let board: HealthBoard
    /// The data-plane settings: the file's `limits` block, else the server's defaults.
    private(set) var options: ProxyOptions
    let defaultOptions: ProxyOptions
    let logger: Logger
    let metrics: LoopMetrics
    /// Open client connections, so a drain can close idle ones and wait for the rest.
    var connections: [ObjectIdentifier: ProxyConnection] = [:]
    /// Open HTTP/2 client connections (their streams are in `connections`), told to go away on a drain.
    var http2Connections: [ObjectIdentifier: (channel: Channel, monitor: HTTP2ConnectionMonitor)] = [:]
    /// Set when the server stops: connections close after their current exchange.
    var draining = false
    /// Spans per request and attempt, when the config has `tracing`, and the share of new traces recorded.
    let tracer: (any Tracer)?
    let sampleRatio: Double
    var requestIDs = RequestID()
    /// At most ten `request failed` lines a second at info; the rest at debug.
    var failureLog = LogRateLimit(perSecond: 10)
    /// Finished requests' instances (their head arrays and attempt with
    /// them), response-head arrays and head buffers, left by closed connections for new
    /// ones: each HTTP/2 stream is a new connection, so reuse within a
    /// connection alone would never reach it.
    var spareRequests: [InFlightRequest] = []
    var spareResponseHeads: [HeadStorage] = []
    var spareHeadBuffers: [ByteBuffer] = []
    /// How many of each a loop keeps (beyond it they are freed).
    static let spareLimit = 256

    /// Keeps a closed connection's (or stream's) response-head arrays and
    /// head buffer for the next one, within `spareLimit`.
    func keepSpares(responseHead storage: HeadStorage, headBuffer: ByteBuffer?) {
        if storage.bytes.capacity > 0, spareResponseHeads.count < Self.spareLimit { spareResponseHeads.append(storage) }
        if let headBuffer, spareHeadBuffers.count < Self.spareLimit { spareHeadBuffers.append(headBuffer) }
    }

    /// The id of a request the proxy does not record a span for: its caller's trace id, or a new one.
    func requestID(for head: RequestHead) -> TraceID {
        RequestID.inbound(head) ?? requestIDs.next()
    }
    /// The config's access log, if it has one.
    private(set) var accessLog: AccessLog?
    let accessLogs: AccessLogs

    init(eventLoop: EventLoop, snapshot: RoutingSnapshot, options: ProxyOptions, logger: Logger, metrics: ProxyMetrics,
         board: HealthBoard, index: Int, loops: Int, tracer: (any Tracer)?, sampleRatio: Double, accessLogs: AccessLogs) {
        self.tracer = tracer
        self.sampleRatio = sampleRatio
        self.accessLogs = accessLogs
        accessLog = accessLogs.log(snapshot.config.accessLog)
        self.eventLoop = eventLoop
        self.board = board
        self.index = index
        self.destinations = Destinations(board: board, budgetShare: 1 / Double(max(1, loops)))
        let effective = snapshot.config.limits.map(ProxyOptions.init) ?? options
        destinations.removalGrace = effective.removalGrace.nanoseconds
        self.router = Router(snapshot: snapshot)
        self.pool = ConnectionPool(eventLoop: eventLoop, connectTimeout: effective.connectTimeout, idleTimeout: effective.poolIdleTimeout,
                                   limits: effective.limits)
        pool.http2Keepalive = effective.http2Keepalive
        self.options = effective
        self.defaultOptions = options
        self.logger = logger
        self.metrics = LoopMetrics(metrics)
        startSweeper()
    }
}

extension LoopRuntime {
    /// Every 100 ms, acts on connections whose head or body deadline
    /// passed, on pooled connections idle past their timeout, and on idle
    /// or silent HTTP/2 connections (endpoints and clients): one timer per
    /// loop instead of one per request. Every second,
    /// publishes the balancers' figures for `/endpoints`.
    func startSweeper() {
        let interval = TimeAmount.milliseconds(100)
        var sweeps = 0
        func schedule() {
            eventLoop.assumeIsolated().scheduleTask(in: interval) { [weak self] in
                guard let self else { return }
                let now = NIODeadline.now()
                for connection in self.connections.values { connection.checkDeadlines(now: now) }
                self.pool.closeExpiredIdle(now: now)
                for reason in self.pool.checkHTTP2(now: now) { self.metrics.metrics.http2Closed(peer: "endpoint", reason: reason).increment() }
                self.checkHTTP2Clients(now: now)
                self.metrics.flush()
                sweeps += 1
                if sweeps % 10 == 0 { self.board.publish(loop: self.index, self.destinations.loads) }
                schedule()
            }
        }
        schedule()
    }

    /// PINGs silent HTTP/2 clients that streams wait on, and drops those
    /// that leave a PING unanswered (idle ones go by `h2-idle-timeout`).
    func checkHTTP2Clients(now: NIODeadline) {
        for (channel, monitor) in http2Connections.values {
            switch monitor.check(now: now, idleTimeout: nil, keepalive: options.http2Keepalive) {
            case .keep, .idle: break
            case .ping(let data): HTTP2ConnectionMonitor.sendPing(data, on: channel)
            case .unresponsive:
                channel.close(promise: nil)
                metrics.metrics.http2Closed(peer: "client", reason: "unresponsive").increment()
            }
        }
    }

    /// Switches to a new snapshot (a reload or a discovery change).
    func update(_ snapshot: RoutingSnapshot) {
        router.update(snapshot)
        options = snapshot.config.limits.map(ProxyOptions.init) ?? defaultOptions
        destinations.removalGrace = options.removalGrace.nanoseconds
        pool.connectTimeout = options.connectTimeout
        pool.idleTimeout = options.poolIdleTimeout
        pool.http2Keepalive = options.http2Keepalive
        accessLog = accessLogs.log(snapshot.config.accessLog)
        // A parked request still holds the decision (and endpoint set) of
        // its last request: let the old snapshot's go.
        spareRequests.removeAll()
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
    /// The largest request body kept in memory so that a retry can send it again.
    public var retryBodySize: Int
    /// How long an endpoint discovery removed keeps serving while it answers well.
    public var removalGrace: Duration
    /// HTTP/2: streams a client may open at once, and each receive window.
    public var http2MaxConcurrentStreams = 100
    public var http2StreamWindow = 65_535
    /// HTTP/2: how long a client connection may have no stream before GOAWAY,
    /// and the PING interval (and answer time) on quiet connections both ways.
    public var http2IdleTimeout: TimeAmount = .seconds(300)
    public var http2Keepalive: TimeAmount = .seconds(300)
    /// `limits { endpoint-metrics N }`: endpoints with series of their own; 0 is off.
    public var endpointMetrics = 0

    /// The settings a `limits { }` block gives.
    public init(_ limits: ServerLimits) {
        self.init(limits: HTTP1Limits(maxHeadBytes: limits.maxHeadSize, maxRequestLineBytes: limits.maxRequestLine,
                                      maxHeaderCount: limits.maxHeaders),
                  headerReadTimeout: .nanoseconds(Int64(limits.headerReadTimeout.nanoseconds)),
                  connectTimeout: .nanoseconds(Int64(limits.connectTimeout.nanoseconds)),
                  poolIdleTimeout: .nanoseconds(Int64(limits.poolIdleTimeout.nanoseconds)),
                  maxBodySize: limits.maxBodySize.map(UInt64.init),
                  bodyIdleTimeout: .nanoseconds(Int64(limits.bodyIdleTimeout.nanoseconds)),
                  retryBodySize: limits.retryBodySize, removalGrace: limits.removalGrace)
        http2MaxConcurrentStreams = limits.h2MaxConcurrentStreams
        http2StreamWindow = limits.h2StreamWindow
        http2IdleTimeout = .nanoseconds(Int64(limits.h2IdleTimeout.nanoseconds))
        http2Keepalive = .nanoseconds(Int64(limits.h2Keepalive.nanoseconds))
        endpointMetrics = limits.endpointMetrics
    }

    public init(limits: HTTP1Limits = HTTP1Limits(), headerReadTimeout: TimeAmount = .seconds(10),
                connectTimeout: TimeAmount = .seconds(2), poolIdleTimeout: TimeAmount = .seconds(30),
                maxBodySize: UInt64? = nil, bodyIdleTimeout: TimeAmount = .seconds(60), retryBodySize: Int = 64 * 1024,
                removalGrace: Duration = .zero) {
        self.limits = limits
        self.headerReadTimeout = headerReadTimeout
        self.connectTimeout = connectTimeout
        self.poolIdleTimeout = poolIdleTimeout
        self.maxBodySize = maxBodySize
        self.bodyIdleTimeout = bodyIdleTimeout
        self.retryBodySize = retryBodySize
        self.removalGrace = removalGrace
    }
}
