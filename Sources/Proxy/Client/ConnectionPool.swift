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
final class ConnectionPool {
    struct Key: Hashable {
        var host: String
        var port: Int
    }

    struct Lease {
        let channel: Channel
        let handler: BackendHandler
        let key: Key
        /// An HTTP/2 stream, used for one exchange and never pooled.
        var isStream = false
        /// A connection made for this exchange (not taken from the pool):
        /// its first answer is not a fair latency sample (`PeakEWMA`).
        var fresh = false
    }

    private struct Idle {
        let lease: Lease
        let expiry: Scheduled<Void>
    }

    let eventLoop: EventLoop
    var connectTimeout: TimeAmount
    var idleTimeout: TimeAmount
    /// How long an HTTP/2 connection may be silent before a PING, and the PING unanswered before it closes.
    var http2Keepalive: TimeAmount = .seconds(300)
    let maxIdlePerEndpoint: Int
    private var idle: [Key: [Idle]] = [:]
    /// The HTTP/2 connection to each endpoint spoken to over HTTP/2, made or being made.
    var http2: [Key: EventLoopFuture<HTTP2Upstream>] = [:]
    /// The HTTP/2 connections that are up, for the sweeper's checks.
    var http2Open: [ObjectIdentifier: HTTP2Upstream] = [:]
    let limits: HTTP1Limits

    init(eventLoop: EventLoop, connectTimeout: TimeAmount, idleTimeout: TimeAmount, maxIdlePerEndpoint: Int = 64,
         limits: HTTP1Limits = HTTP1Limits()) {
        self.eventLoop = eventLoop
        self.limits = limits
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// An idle connection to `endpoint`, if one is open: the common case,
    /// served without a future.
    func takeIdle(_ endpoint: Endpoint) -> Lease? {
        let key = Key(host: endpoint.host, port: endpoint.port)
        while var list = idle[key], let last = list.popLast() {
            idle[key] = list.isEmpty ? nil : list
            last.expiry.cancel()
            if last.lease.channel.isActive {
                last.lease.handler.onIdleClose = nil
                return last.lease
            }
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
            return Lease(channel: channel, handler: handler, key: key, fresh: true)
        }.nonisolated()
    }

    /// Returns a connection whose last exchange finished cleanly.
    func release(_ lease: Lease) {
        guard !lease.isStream, lease.channel.isActive, (idle[lease.key]?.count ?? 0) < maxIdlePerEndpoint else {
            lease.channel.close(promise: nil)
            return
        }
        lease.handler.owner = nil
        let expiry = eventLoop.assumeIsolated().scheduleTask(in: idleTimeout) { [weak self] in
            self?.remove(lease)
            lease.channel.close(promise: nil)
        }
        lease.handler.onIdleClose = { [weak self] in
            expiry.cancel()
            self?.remove(lease)
        }
        var reused = lease
        reused.fresh = false
        idle[lease.key, default: []].append(Idle(lease: reused, expiry: expiry))
        // Reading stays on, so a backend closing an idle connection is noticed at once.
        try? lease.channel.syncOptions?.setOption(.autoRead, value: true)
    }

    private func remove(_ lease: Lease) {
        idle[lease.key]?.removeAll { $0.lease.channel === lease.channel }
        if idle[lease.key]?.isEmpty == true { idle[lease.key] = nil }
    }

    func closeAll() {
        for list in idle.values {
            for entry in list {
                entry.expiry.cancel()
                entry.lease.channel.close(promise: nil)
            }
        }
        idle = [:]
        for connection in http2.values {
            connection.whenSuccess { $0.channel.close(promise: nil) }
        }
        http2 = [:]
        http2Open = [:]
    }
}
