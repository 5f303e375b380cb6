import Engine
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RouteLang
import Tracing

// MARK: - ProxyServer

/// Binds every listener of a config and serves it with one `LoopRuntime`
/// per event loop. `update` hands a new snapshot to every loop (each loop
/// swaps it in between requests: no lock on the request path).
public final class ProxyServer: Sendable {
    let group: EventLoopGroup
    let options: ProxyOptions
    let logger: Logger
    public let metrics: ProxyMetrics
    /// Failure accrual shared by every loop, and their load figures.
    public let board = HealthBoard()
    let runtimes: [ObjectIdentifier: NIOLoopBound<LoopRuntime>]
    /// The listening channels, for shutdown.
    let listening = NIOLockedValueBox<[Channel]>([])

    /// The access logs the configs have named, open for the server's life.
    let accessLogs: AccessLogs

    public init(snapshot: RoutingSnapshot, group: EventLoopGroup, options: ProxyOptions = ProxyOptions(),
                logger: Logger = Logger(label: "switchyard.proxy"), metrics: ProxyMetrics = ProxyMetrics(),
                tracer: (any Tracer)? = nil, sampleRatio: Double = 1) throws {
        self.group = group
        self.options = options
        self.logger = logger
        self.metrics = metrics
        var runtimes: [ObjectIdentifier: NIOLoopBound<LoopRuntime>] = [:]
        let loops = Array(group.makeIterator())
        let board = self.board
        let accessLogs = AccessLogs(logger: logger)
        self.accessLogs = accessLogs
        for (index, loop) in loops.enumerated() {
            // Each runtime is made on its own loop and never leaves it.
            runtimes[ObjectIdentifier(loop)] = try loop.submit {
                NIOLoopBound(LoopRuntime(eventLoop: loop, snapshot: snapshot, options: options, logger: logger, metrics: metrics,
                                         board: board, index: index, loops: loops.count, tracer: tracer,
                                         sampleRatio: sampleRatio, accessLogs: accessLogs),
                             eventLoop: loop)
            }.wait()
        }
        self.runtimes = runtimes
    }

    /// Binds the listeners (port 0 picks a free port); returns the bound addresses.
    public func start(listeners: [ListenerConfig]) async throws -> [NIOCore.SocketAddress] {
        var bound: [NIOCore.SocketAddress] = []
        for listener in listeners {
            let runtimes = self.runtimes
            let tls = try listener.tls.map(Self.tlsContext)
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                // One read per readiness event: small requests rarely need a second,
                // and an extra read() that only returns EAGAIN is a wasted syscall.
                .childChannelOption(.maxMessagesPerRead, value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let runtime = runtimes[ObjectIdentifier(channel.eventLoop)]?.value else {
                            throw ChannelError.ioOnClosedChannel
                        }
                        // Behind TLS the sniffer sees the decrypted bytes: an h2 client
                        // (ALPN `h2`) sends the HTTP/2 preface, any other HTTP/1.1.
                        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                        try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(runtime: runtime, listener: listener))
                    }
                }
            let channel: Channel
            do {
                channel = try await bootstrap.bind(host: listener.address.host, port: listener.address.port).get()
            } catch {
                throw BindError(what: "listener", host: listener.address.host, port: listener.address.port, error: error)
            }
            listening.withLockedValue { $0.append(channel) }
            if let address = channel.localAddress { bound.append(address) }
            logger.info("listening", metadata: ["address": "\(channel.localAddress?.hostPort ?? "?")"])
        }
        return bound
    }

    /// The TLS context of a listener: its PEM certificate chain and key,
    /// offering `h2` and `http/1.1` by ALPN.
    public static func tlsContext(_ files: TLSFiles) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.cert).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.applicationProtocols = ["h2", "http/1.1"]
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(cert: files.cert, key: files.key, error: error)
        }
    }

    /// Routes new requests with `snapshot` (a reload or a discovery change).
    public func update(_ snapshot: RoutingSnapshot) {
        for runtime in runtimes.values {
            runtime.eventLoop.execute {
                runtime.value.update(snapshot)
            }
        }
    }

    /// Stops accepting, lets requests in flight finish within `grace`
    /// (idle keep-alive connections close at once, busy ones after their
    /// current response), then closes whatever is left and the pools.
    public func shutdown(grace: Duration = .seconds(10)) async {
        let channels = listening.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
        for channel in channels { try? await channel.close() }
        for runtime in runtimes.values {
            try? await runtime.eventLoop.submit {
                runtime.value.draining = true
                for connection in runtime.value.connections.values { connection.closeIfIdle() }
                for (channel, _) in runtime.value.http2Connections.values { HTTP2Listener.quiesce(channel) }
            }.get()
        }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while clock.now < deadline, await openConnections() > 0 {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for runtime in runtimes.values {
            try? await runtime.eventLoop.submit {
                for connection in runtime.value.connections.values { connection.forceClose() }
                for (channel, _) in runtime.value.http2Connections.values { channel.close(promise: nil) }
                runtime.value.pool.closeAll()
            }.get()
        }
    }

    /// Client connections (HTTP/1.1, HTTP/2, and the HTTP/2 streams under way) open on every loop.
    public func openConnections() async -> Int {
        var total = 0
        for runtime in runtimes.values {
            total += (try? await runtime.eventLoop.submit {
                runtime.value.connections.count + runtime.value.http2Connections.count
            }.get()) ?? 0
        }
        return total
    }
}

// MARK: - TLSSetupError

/// A TLS listener whose certificate or key cannot be used.
public struct TLSSetupError: Error, CustomStringConvertible {
    public var cert: String
    public var key: String
    public var error: Error

    public var description: String { "cannot use TLS certificate \(cert) with key \(key): \(error)" }
}
