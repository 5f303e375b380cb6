// MARK: - ServerLimits

/// The data plane's limits, from `limits { }` (defaults for what it omits).
public struct ServerLimits: Sendable, Hashable {
    /// The whole request head (431 beyond it).
    public var maxHeadSize: Int
    /// The request line (414 beyond it).
    public var maxRequestLine: Int
    /// Header fields per request (431 beyond it).
    public var maxHeaders: Int
    /// How long a client may take to send a head; also the idle keep-alive time (408).
    public var headerReadTimeout: Duration
    public var connectTimeout: Duration
    /// How long an unused backend connection stays in the pool.
    public var poolIdleTimeout: Duration
    /// The largest request body (413 beyond it); nil is unlimited, as
    /// nginx's `client_max_body_size 0`.
    public var maxBodySize: Int?
    /// How long a client may pause while sending a body (408 beyond it).
    public var bodyIdleTimeout: Duration
    /// Nodes one delegation may visit before it fails (502).
    public var delegationBudget: Int
    /// The largest request body kept for a retry; a longer one is streamed
    /// without a copy and its request is not retried once sent (0: never).
    public var retryBodySize: Int
    /// How long an endpoint discovery removed keeps taking requests while
    /// it answers them well (a failure ends it at once); zero is off.
    public var removalGrace: Duration
    /// HTTP/2 streams a client may have open at once on one connection
    /// (SETTINGS_MAX_CONCURRENT_STREAMS; more is a connection error).
    public var h2MaxConcurrentStreams: Int = 100
    /// The flow-control window of each HTTP/2 stream and connection the
    /// proxy receives on: how much a peer may send before the proxy reads.
    public var h2StreamWindow: Int = 65_535
    /// How long a client's HTTP/2 connection may have no stream open before
    /// the proxy closes it with GOAWAY.
    public var h2IdleTimeout: Duration = .seconds(300)
    /// How long an HTTP/2 connection (to a client or an endpoint) may be
    /// silent while streams wait on it before the proxy sends a PING, and
    /// how long the PING may go unanswered (at most 20 s) before the
    /// connection is closed. Long by default: gRPC servers answer PINGs
    /// more often than every 5 minutes without data with GOAWAY.
    public var h2Keepalive: Duration = .seconds(300)
    /// Per-endpoint series (`switchyard_endpoint_*`): off at 0, the
    /// default, since every endpoint is a label value; else at most this
    /// many endpoints get series of their own and the rest count as `other`.
    public var endpointMetrics = 0

    public init(maxHeadSize: Int = 64 * 1024, maxRequestLine: Int = 8 * 1024, maxHeaders: Int = 100,
                headerReadTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(2),
                poolIdleTimeout: Duration = .seconds(30), maxBodySize: Int? = nil,
                bodyIdleTimeout: Duration = .seconds(60), delegationBudget: Int = 10_000,
                retryBodySize: Int = 64 * 1024, removalGrace: Duration = .zero) {
        self.maxHeadSize = maxHeadSize
        self.maxRequestLine = maxRequestLine
        self.maxHeaders = maxHeaders
        self.headerReadTimeout = headerReadTimeout
        self.connectTimeout = connectTimeout
        self.poolIdleTimeout = poolIdleTimeout
        self.maxBodySize = maxBodySize
        self.bodyIdleTimeout = bodyIdleTimeout
        self.delegationBudget = delegationBudget
        self.retryBodySize = retryBodySize
        self.removalGrace = removalGrace
    }
}
