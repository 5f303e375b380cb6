import Engine
import NIOCore
import NIOHTTP2
import NIOPosix

// MARK: - HTTP/2 upstream

/// One HTTP/2 connection to an endpoint, its stream multiplexer, and what
/// tells the pool when to close it.
final class HTTP2Upstream {
    let channel: Channel
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    let monitor: HTTP2ConnectionMonitor
    let key: ConnectionPool.Key

    init(channel: Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, monitor: HTTP2ConnectionMonitor, key: ConnectionPool.Key) {
        self.key = key
        self.channel = channel
        self.multiplexer = multiplexer
        self.monitor = monitor
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

    /// A new stream to `endpoint` on its HTTP/2 connection (made first when
    /// there is none). Streams beyond the endpoint's concurrency limit wait
    /// in the connection handler until one closes.
    func acquireStream(_ endpoint: Endpoint) -> EventLoopFuture<Lease> {
        let key = Key(host: endpoint.host, port: endpoint.port)
        let limits = self.limits
        let leased = eventLoop.makePromise(of: Lease.self)
        connection(to: endpoint, key: key).assumeIsolated().whenComplete { result in
            switch result {
            case .failure(let error):
                leased.fail(error)
            case .success(let upstream):
                upstream.monitor.leased()
                let opened = upstream.channel.eventLoop.makePromise(of: Channel.self)
                upstream.multiplexer.createStreamChannel(promise: opened) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(HTTP2ClientStreamBridge(limits: limits))
                        try stream.pipeline.syncOperations.addHandler(BackendHandler())
                    }
                }
                opened.futureResult.assumeIsolated().whenComplete { result in
                    do {
                        let stream = try result.get()
                        let handler = try stream.pipeline.syncOperations.handler(type: BackendHandler.self)
                        leased.assumeIsolated().succeed(Lease(channel: stream, handler: handler, key: key, isStream: true))
                    } catch {
                        leased.fail(error)
                    }
                }
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
        let stream = NIOHTTP2Handler.StreamConfiguration()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let monitor = HTTP2ConnectionMonitor()
                    // The proxy accepts no streams from endpoints (push is off).
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: connection, streamConfiguration: stream,
                        streamDelegate: monitor.streamDelegate(eventLoop: channel.eventLoop)
                    ) { pushed in pushed.close() }
                    try channel.pipeline.syncOperations.addHandler(monitor)
                    try channel.pipeline.syncOperations.addHandler(monitor.readClock, position: .first)
                    // The requests of many streams in one write.
                    try channel.pipeline.syncOperations.addHandler(FlushCoalescer(), position: .first)
                }
            }
        let made = bootstrap.connect(host: endpoint.host, port: endpoint.port).assumeIsolated().flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self)
            return HTTP2Upstream(channel: channel, multiplexer: try handler.syncMultiplexer(),
                                 monitor: try channel.pipeline.syncOperations.handler(type: HTTP2ConnectionMonitor.self), key: key)
        }.nonisolated()
        http2[key] = made
        made.assumeIsolated().whenComplete { [weak self] result in
            switch result {
            case .failure:
                self?.forget(key, made, nil)
            case .success(let upstream):
                self?.http2Open[ObjectIdentifier(upstream)] = upstream
                upstream.channel.closeFuture.assumeIsolated().whenComplete { _ in self?.forget(key, made, upstream) }
            }
        }
        return made
    }

    private func forget(_ key: Key, _ connection: EventLoopFuture<HTTP2Upstream>, _ upstream: HTTP2Upstream?) {
        if http2[key] === connection { http2[key] = nil }
        if let upstream { http2Open[ObjectIdentifier(upstream)] = nil }
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
        http2[upstream.key] = nil
    }
}
