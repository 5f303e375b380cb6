import Engine
import NIOCore
import NIOHTTP2
import NIOPosix

// MARK: - HTTP/2 upstream

/// One HTTP/2 connection to an endpoint and its stream multiplexer.
final class HTTP2Upstream {
    let channel: Channel
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer

    init(channel: Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer) {
        self.channel = channel
        self.multiplexer = multiplexer
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
                    // The proxy accepts no streams from endpoints (push is off).
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: connection, streamConfiguration: stream
                    ) { pushed in pushed.close() }
                }
            }
        let made = bootstrap.connect(host: endpoint.host, port: endpoint.port).assumeIsolated().flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self)
            return HTTP2Upstream(channel: channel, multiplexer: try handler.syncMultiplexer())
        }.nonisolated()
        http2[key] = made
        made.assumeIsolated().whenComplete { [weak self] result in
            switch result {
            case .failure:
                self?.forget(key, made)
            case .success(let upstream):
                upstream.channel.closeFuture.assumeIsolated().whenComplete { _ in self?.forget(key, made) }
            }
        }
        return made
    }

    private func forget(_ key: Key, _ connection: EventLoopFuture<HTTP2Upstream>) {
        if http2[key] === connection { http2[key] = nil }
    }
}
