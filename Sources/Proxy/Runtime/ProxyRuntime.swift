import Engine
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RouteLang

// MARK: - ProxyRuntime

/// A whole running proxy for one rule file: event loops, the data-plane
/// listeners, the admin listener and the configuration runtime.
public final class ProxyRuntime: Sendable {
    public let path: String
    public let group: MultiThreadedEventLoopGroup
    public let server: ProxyServer
    public let config: ConfigRuntime
    let admin: NIOLockedValueBox<AdminServer?> = NIOLockedValueBox(nil)
    let ready = NIOLockedValueBox(false)
    let logger: Logger
    public let listenerAddresses: NIOLockedValueBox<[NIOCore.SocketAddress]> = NIOLockedValueBox([])

    /// Reads and compiles the file; throws `RuleFileError`, or
    /// `InvalidConfiguration` with the rendered diagnostics.
    public init(path: String, threads: Int = System.coreCount, options: ProxyOptions = ProxyOptions(),
                logger: Logger = Logger(label: "switchyard")) throws {
        let built = try SnapshotBuilder.build(path, generation: 1)
        guard let snapshot = built.snapshot else {
            throw InvalidConfiguration(diagnostics: DiagnosticRenderer().render(built.lint.diagnostics.sorted, in: built.lint.source))
        }
        self.path = path
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        server = try ProxyServer(snapshot: snapshot, group: group, options: options, logger: logger)
        config = ConfigRuntime(path: path, lint: built.lint, snapshot: snapshot, server: server, logger: logger)
    }

    public struct InvalidConfiguration: Error, CustomStringConvertible {
        public var diagnostics: String
        public var description: String { diagnostics }
    }

    /// Binds the listeners and the admin API.
    public func start() async throws {
        let snapshot = config.snapshot
        let addresses = try await server.start(listeners: snapshot.config.listeners)
        listenerAddresses.withLockedValue { $0 = addresses }
        let ready = self.ready
        let api = AdminAPI(runtime: config, metrics: server.metrics, board: server.board, isReady: { ready.withLockedValue { $0 } })
        let adminServer = try await AdminServer.start(api: api, host: snapshot.config.admin.host, port: snapshot.config.admin.port, group: group)
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
        try? await group.shutdownGracefully()
        logger.info("stopped")
    }
}
