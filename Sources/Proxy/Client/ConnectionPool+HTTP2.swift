import Engine
import NIOCore
import NIOHTTP2
import NIOPosix

// MARK: - HTTP/2 upstream

/// One HTTP/2 connection to an endpoint, the session that opens its
/// streams, and what tells the pool when to close it.
final class HTTP2Upstream {
    let channel: Channel
    let session: HTTP2UpstreamSession
    let monitor: HTTP2ConnectionMonitor
    let key: ConnectionPool.Key

    init(channel: Channel, session: HTTP2UpstreamSession, monitor: HTTP2ConnectionMonitor, key: ConnectionPool.Key) {
        self.key = key
        self.channel = channel
        self.session = session
        self.monitor = monitor
    }

    /// A lease on a new stream.
    func lease() -> ConnectionPool.Lease {
        monitor.leased()
        return ConnectionPool.Lease(channel: channel, link: session.makeStream(), key: key, isStream: true)
    }
}

extension ConnectionPool {
    /// What the proxy announces to endpoints: no server push, and the same
    /// header list limit it applies to its clients.
    var http2Settings: HTTP2Settings {
        [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .maxHeaderListSize, value: limits.maxHeadBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: 65_535),
        ]
    }

    /// A new stream to `endpoint` when its HTTP/2 connection is open (no
    /// future, nothing scheduled). Streams beyond the endpoint's
    /// concurrency limit wait in the connection handler until one closes.
    func takeStream(_ endpoint: Endpoint) -> Lease? {
        guard let upstream = http2Ready[Key(host: endpoint.host, port: endpoint.port)], !upstream.session.goingAway else { return nil }
        return upstream.lease()
    }

    /// A new stream to `endpoint`, once its HTTP/2 connection is made (or
    /// at once when it is open).
    func acquireStream(_ endpoint: Endpoint) -> EventLoopFuture<Lease> {
        let leased = eventLoop.makePromise(of: Lease.self)
        if let lease = takeStream(endpoint) {
            leased.assumeIsolated().succeed(lease)
            return leased.futureResult
        }
        let key = Key(host: endpoint.host, port: endpoint.port)
        connection(to: endpoint, key: key).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error): leased.fail(error)
            case .success(let upstream): leased.assumeIsolated().succeed(upstream.lease())
            }
        }
        return leased.futureResult
    }

    /// The open (or opening) HTTP/2 connection to an endpoint; forgotten
    /// when it fails or closes, so the next stream makes a new one.
    private func connection(to endpoint: Endpoint, key: Key) -> EventLoopFuture<HTTP2Upstream> {
        if let existing = http2[key] { return existing }
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = http2Settings
        let connection = configuration
        let limits = self.limits
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let monitor = HTTP2ConnectionMonitor()
                    let session = HTTP2UpstreamSession(limits: limits, eventLoop: channel.eventLoop,
                                                       streamDelegate: monitor.streamDelegate(eventLoop: channel.eventLoop))
                    // No stream multiplexer: the session opens the streams
                    // (and the proxy accepts none from endpoints: push is off).
                    let http2 = NIOHTTP2Handler(mode: .client, frameDelegate: session, connectionConfiguration: connection)
                    // The requests of many streams in one write.
                    let handlers: [ChannelHandler] = [FlushCoalescer(), monitor.readClock, http2, session, monitor]
                    try channel.pipeline.syncOperations.addHandlers(handlers)
                }
            }
        let made = bootstrap.connect(host: endpoint.host, port: endpoint.port).assumeIsolated().flatMapThrowing { channel in
            HTTP2Upstream(channel: channel, session: try channel.pipeline.syncOperations.handler(type: HTTP2UpstreamSession.self),
                          monitor: try channel.pipeline.syncOperations.handler(type: HTTP2ConnectionMonitor.self), key: key)
        }.nonisolated()
        http2[key] = made
        made.assumeIsolated().whenComplete { [weak self] result in
            switch result {
            case .failure:
                self?.forget(key, made, nil)
            case .success(let upstream):
                self?.http2Open[ObjectIdentifier(upstream)] = upstream
                if self?.http2[key] === made { self?.http2Ready[key] = upstream }
                upstream.session.onGoAway = { [weak upstream] in if let upstream { self?.forgetNow(upstream) } }
                upstream.channel.closeFuture.assumeIsolated().whenComplete { _ in self?.forget(key, made, upstream) }
            }
        }
        return made
    }

    private func forget(_ key: Key, _ connection: EventLoopFuture<HTTP2Upstream>, _ upstream: HTTP2Upstream?) {
        if http2[key] === connection { http2[key] = nil }
        if let upstream {
            http2Open[ObjectIdentifier(upstream)] = nil
            if http2Ready[key] === upstream { http2Ready[key] = nil }
        }
    }

    /// Closes HTTP/2 connections that have had no stream for the idle time
    /// (GOAWAY first) or left a PING unanswered, and pings quiet ones. A
    /// connection closed here is forgotten, so the next stream makes a new
    /// one. Returns why each closed (`idle`, `unresponsive`), for metrics.
    func checkHTTP2(now: NIODeadline) -> [String] {
        var closed: [String] = []
        for upstream in http2Open.values {
            switch upstream.monitor.check(now: now, idleTimeout: idleTimeout, keepalive: http2Keepalive) {
            case .keep:
                break
            case .ping(let data):
                HTTP2ConnectionMonitor.sendPing(data, on: upstream.channel)
            case .idle:
                let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .rootStream, errorCode: .noError, opaqueData: nil))
                upstream.channel.writeAndFlush(goAway).assumeIsolated().whenComplete { _ in upstream.channel.close(promise: nil) }
                forgetNow(upstream)
                closed.append("idle")
            case .unresponsive:
                upstream.channel.close(promise: nil)
                forgetNow(upstream)
                closed.append("unresponsive")
            }
        }
        return closed
    }

    /// Stops handing out streams on a connection that is closing. While
    /// it is open, the pool's entry for its endpoint is this connection.
    private func forgetNow(_ upstream: HTTP2Upstream) {
        http2Open[ObjectIdentifier(upstream)] = nil
        guard http2Ready[upstream.key] === upstream else { return }
        http2Ready[upstream.key] = nil
        http2[upstream.key] = nil
    }
}
