import Engine
import NIOCore
import NIOHTTP2
import NIOPosix

// MARK: - ConnectionPool

/// Keep-alive connections to backends, one pool per event loop (so it needs
/// no lock): idle connections per endpoint are reused, closed after
/// `idleTimeout`, and new ones are made with `connectTimeout`. Endpoints
/// spoken to over HTTP/2 get one multiplexed connection each, and a lease
/// is a new stream on it (`ConnectionPool+HTTP2`).
///
/// Handing a connection back and taking it again allocates nothing: idle
/// lists keep their capacity, an idle connection's expiry is a deadline the
/// loop's sweeper checks (`closeExpiredIdle`, every 100 ms) instead of a
/// scheduled task, and the handler's close callback is set once per
/// connection. Scheduling and cancelling one task per request cost seven
/// of the 40 heap allocations of a proxied request (bench/alloc-sites.sh).
final class ConnectionPool {
    struct Key: Hashable {
        var host: String
        var port: Int
    }

    struct Lease {
        /// The TCP connection; for a stream, its HTTP/2 connection's, which
        /// the request path never closes (it ends a stream with `link.close()`).
        let channel: Channel
        /// What the request path writes to and reads from.
        let link: any BackendLink
        let key: Key
        /// An HTTP/2 stream, used for one exchange and never pooled.
        var isStream = false
        /// A connection made for this exchange (not taken from the pool):
        /// its first answer is not a fair latency sample (`PeakEWMA`).
        var fresh = false
    }

    private struct Idle {
        let lease: Lease
        let expires: NIODeadline
    }

    /// An endpoint's idle connections, newest last; the list keeps its
    /// capacity while the endpoint is in use.
    private struct IdleList {
        var entries: [Idle] = []
        var lastRelease = NIODeadline.now()

        mutating func add(_ entry: Idle, at now: NIODeadline) {
            entries.append(entry)
            lastRelease = now
        }
    }

    let eventLoop: EventLoop
    var connectTimeout: TimeAmount
    var idleTimeout: TimeAmount
    /// How long an HTTP/2 connection may be silent before a PING, and the PING unanswered before it closes.
    var http2Keepalive: TimeAmount = .seconds(300)
    /// Idle connections kept per endpoint (on this loop); one released
    /// beyond it is closed. A pool never holds more idle connections than
    /// were in use at once, and `idleTimeout` closes those unused, so the
    /// bound is high: a low one (nginx's `keepalive 64`) closes connections
    /// a burst of more concurrent requests frees, only to open them again
    /// for the next burst.
    let maxIdlePerEndpoint: Int
    private var idle: [Key: IdleList] = [:]
    /// The HTTP/2 connection to each endpoint spoken to over HTTP/2, made or being made.
    var http2: [Key: EventLoopFuture<HTTP2Upstream>] = [:]
    /// The HTTP/2 connections that are up, for the sweeper's checks.
    var http2Open: [ObjectIdentifier: HTTP2Upstream] = [:]
    /// The open HTTP/2 connection per endpoint that new streams go on.
    var http2Ready: [Key: HTTP2Upstream] = [:]
    let limits: HTTP1Limits

    init(eventLoop: EventLoop, connectTimeout: TimeAmount, idleTimeout: TimeAmount, maxIdlePerEndpoint: Int = 1024,
         limits: HTTP1Limits = HTTP1Limits()) {
        self.eventLoop = eventLoop
        self.limits = limits
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.entries.count } }

    /// An idle connection to `endpoint`, if one is open: the common case,
    /// served without a future.
    func takeIdle(_ endpoint: Endpoint) -> Lease? {
        guard let index = idle.index(forKey: Key(host: endpoint.host, port: endpoint.port)) else { return nil }
        // In place: the list keeps its capacity for the next release.
        while let last = idle.values[index].entries.popLast() {
            if last.lease.channel.isActive { return last.lease }
        }
        return nil
    }

    /// An idle connection to `endpoint`, or a new one.
    func acquire(_ endpoint: Endpoint) -> EventLoopFuture<Lease> {
        let key = Key(host: endpoint.host, port: endpoint.port)
        if let lease = takeIdle(endpoint) {
            return eventLoop.assumeIsolated().makeSucceededFuture(lease)
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BackendHandler())
                }
            }
        return bootstrap.connect(host: endpoint.host, port: endpoint.port).assumeIsolated().flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: BackendHandler.self)
            // Once per connection: a backend closing it while idle takes it out of the pool.
            handler.onIdleClose = { [weak self] in self?.remove(channel, key: key) }
            return Lease(channel: channel, link: handler, key: key, fresh: true)
        }.nonisolated()
    }

    /// Returns a connection whose last exchange finished cleanly.
    func release(_ lease: Lease) {
        lease.link.owner = nil
        guard !lease.isStream, lease.channel.isActive, (idle[lease.key]?.entries.count ?? 0) < maxIdlePerEndpoint else {
            lease.link.close()
            return
        }
        var reused = lease
        reused.fresh = false
        let now = NIODeadline.now()
        idle[lease.key, default: IdleList()].add(Idle(lease: reused, expires: now + idleTimeout), at: now)
        // Reading stays on, so a backend closing an idle connection is noticed at once.
        lease.link.setReading(true)
    }

    private func remove(_ channel: Channel, key: Key) {
        idle[key]?.entries.removeAll { $0.lease.channel === channel }
    }

    /// Closes the idle connections whose `idleTimeout` passed, and forgets
    /// endpoints nothing was handed back to for as long (called by the
    /// loop's sweeper).
    func closeExpiredIdle(now: NIODeadline) {
        var stale: [Key] = []
        var expired: [Channel] = []
        var index = idle.startIndex
        while index != idle.endIndex {
            idle.values[index].entries.removeAll { entry in
                guard entry.expires <= now else { return false }
                expired.append(entry.lease.channel)
                return true
            }
            if idle.values[index].entries.isEmpty, idle.values[index].lastRelease + idleTimeout <= now { stale.append(idle.keys[index]) }
            index = idle.index(after: index)
        }
        for key in stale { idle[key] = nil }
        // Closed once the lists are settled: a close calls back into `remove`.
        for channel in expired { channel.close(promise: nil) }
    }

    func closeAll() {
        for list in idle.values {
            for entry in list.entries { entry.lease.channel.close(promise: nil) }
        }
        idle = [:]
        for connection in http2.values {
            connection.whenSuccess { $0.channel.close(promise: nil) }
        }
        http2 = [:]
        http2Open = [:]
        http2Ready = [:]
    }
}
