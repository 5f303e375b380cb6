import Logging
import ServiceLifecycle
import UnixSignals

// MARK: - ProxyService

/// The proxy under swift-service-lifecycle: runs until SIGTERM or SIGINT
/// (graceful shutdown: stop accepting, drain within `grace`, exit 0),
/// reloads on SIGHUP, and with `watch` polls the rule file and the namers'
/// directories once a second.
public struct ProxyService: Service {
    let runtime: ProxyRuntime
    let watch: Bool
    let grace: Duration

    public init(runtime: ProxyRuntime, watch: Bool = true, grace: Duration = .seconds(10)) {
        self.runtime = runtime
        self.watch = watch
        self.grace = grace
    }

    public func run() async throws {
        try await runtime.start()
        let runtime = self.runtime
        let watch = self.watch
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    runtime.config.reload(trigger: "SIGHUP")
                }
            }
            if watch {
                tasks.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        if Task.isCancelled { break }
                        runtime.config.checkForChanges()
                    }
                }
            }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }
        await runtime.stop(grace: grace)
    }
}
