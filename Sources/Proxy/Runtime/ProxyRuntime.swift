import Engine
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RouteLang
import ServiceLifecycle

// MARK: - ProxyRuntime

/// A whole running proxy for one rule source: event loops, the data-plane
/// listeners, the admin listener, the configuration runtime and the
/// discovery watches.
public final class ProxyRuntime: Sendable {
    public var path: String { config.source.name }
    public let group: MultiThreadedEventLoopGroup
    public let server: ProxyServer
    public let config: ConfigRuntime
    let admin: NIOLockedValueBox<AdminServer?> = NIOLockedValueBox(nil)
    let ready = NIOLockedValueBox(false)
    let logger: Logger
    public let listenerAddresses: NIOLockedValueBox<[NIOCore.SocketAddress]> = NIOLockedValueBox([])
    /// `--listen` and `--admin`, applied when the listeners are bound.
    let overrides: AddressOverrides

    /// Discovery refreshes and reloads run here, one at a time, never on an
    /// event loop or the concurrency pool (they read files and ask DNS).
    let refreshes: NIOThreadPool
    private let refreshQueued = NIOLockedValueBox(false)
    /// Span export (`tracing`), set up from the config the proxy starts with.
    let tracing: TracingBackend?
    private let tracingRun = NIOLockedValueBox<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)

    /// Reads and compiles the file; throws `RuleFileError`, or
    /// `InvalidConfiguration` with the rendered diagnostics.
    public convenience init(path: String, threads: Int = System.coreCount, options: ProxyOptions = ProxyOptions(),
                            overrides: AddressOverrides = AddressOverrides(), logger: Logger = Logger(label: "switchyard")) throws {
        try self.init(source: RuleFile(path: path), threads: threads, options: options, overrides: overrides, logger: logger)
    }

    /// The same from any rule source (a file, an etcd key already fetched).
    public init(source: any RuleSource, threads: Int = System.coreCount, options: ProxyOptions = ProxyOptions(),
                overrides: AddressOverrides = AddressOverrides(), logger: Logger = Logger(label: "switchyard")) throws {
        let late = NIOLockedValueBox<ProxyRuntime?>(nil)
        let watches = DiscoveryWatches(changed: { late.withLockedValue { $0 }?.refreshSoon() })
        let built = try SnapshotBuilder.build(source, generation: 1, watched: watches.watched)
        guard let snapshot = built.snapshot else {
            throw InvalidConfiguration(diagnostics: DiagnosticRenderer().render(built.lint.diagnostics.sorted, in: built.lint.source))
        }
        self.logger = logger
        _ = try overrides.listeners(snapshot.config.listeners)
        self.overrides = overrides
        let metrics = ProxyMetrics()
        tracing = try snapshot.config.tracing.map { try TracingBackend($0, registry: metrics.registry, logger: logger) }
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        refreshes = NIOThreadPool(numberOfThreads: 1)
        server = try ProxyServer(snapshot: snapshot, group: group, options: options, logger: logger, metrics: metrics,
                                 tracer: tracing?.tracer, sampleRatio: tracing?.config.sampleRatio ?? 1)
        config = ConfigRuntime(source: source, lint: built.lint, snapshot: snapshot, server: server, logger: logger, watches: watches)
        late.withLockedValue { $0 = self }
    }

    /// Looks for changes on the refresh thread; calls while one is queued coalesce.
    public func refreshSoon() {
        let queue = refreshQueued.withLockedValue { queued in
            defer { queued = true }
            return !queued
        }
        guard queue else { return }
        let config = self.config
        let queued = refreshQueued
        refreshes.submit { state in
            queued.withLockedValue { $0 = false }
            if case .active = state { config.checkForChanges() }
        }
    }

    /// Reloads on the refresh thread (SIGHUP).
    public func reloadSoon(trigger: String) {
        let config = self.config
        refreshes.submit { state in
            if case .active = state { config.reload(trigger: trigger) }
        }
    }

    public struct InvalidConfiguration: Error, CustomStringConvertible {
        public var diagnostics: String
        public var description: String { diagnostics }
    }

    /// Binds the listeners and the admin API.
    public func start() async throws {
        refreshes.start()
        if let tracing {
            let group = ServiceGroup(services: [tracing.service], gracefulShutdownSignals: [], logger: logger)
            let task = Task { _ = try? await group.run() }
            tracingRun.withLockedValue { $0 = (group, task) }
        }
        config.watches?.sync(config.snapshot.config)
        if let key = config.source as? EtcdRuleKey { config.watches?.watchRules(key) }
        let snapshot = config.snapshot
        let addresses = try await server.start(listeners: overrides.listeners(snapshot.config.listeners))
        listenerAddresses.withLockedValue { $0 = addresses }
        let ready = self.ready
        let api = AdminAPI(runtime: config, metrics: server.metrics, board: server.board, isReady: { ready.withLockedValue { $0 } })
        let adminAddress = overrides.admin(snapshot.config.admin)
        let adminServer = try await AdminServer.start(api: api, host: adminAddress.host, port: adminAddress.port, group: group)
        admin.withLockedValue { $0 = adminServer }
        ready.withLockedValue { $0 = true }
        logger.info("serving", metadata: ["file": "\(path)", "listeners": "\(addresses.map(\.hostPort).joined(separator: ", "))",
                                          "admin": "\(adminServer.localAddress?.hostPort ?? "?")"])
    }

    public var adminAddress: NIOCore.SocketAddress? { admin.withLockedValue { $0?.localAddress } }

    /// Drains (see `ProxyServer.shutdown`) and stops everything.
    public func stop(grace: Duration = .seconds(10)) async {
        ready.withLockedValue { $0 = false }
        await server.shutdown(grace: grace)
        let adminServer = admin.withLockedValue { $0 }
        await adminServer?.close()
        config.watches?.stop()
        server.accessLogs.closeAll()
        // The spans of the last requests go out before the exporter stops.
        if let run = tracingRun.withLockedValue({ $0 }) {
            await run.group.triggerGracefulShutdown()
            await run.task.value
        }
        try? await refreshes.shutdownGracefully()
        try? await group.shutdownGracefully()
        logger.info("stopped")
    }
}
