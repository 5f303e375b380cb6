import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

// MARK: - ProxyService

/// The proxy under swift-service-lifecycle: runs until SIGTERM or SIGINT
/// (graceful shutdown: stop accepting, drain within `grace`, exit 0),
/// reloads on SIGHUP, and with `watch` follows the rule file and the
/// namers' directories: at once through inotify where there is one, and
/// by a poll once a second in any case.
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
                    runtime.reloadSoon(trigger: "SIGHUP")
                }
            }
            let watcher = watch ? DirectoryWatcher() : nil
            if watch {
                tasks.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        if Task.isCancelled { break }
                        runtime.refreshSoon()
                        if let watcher { Self.watchDirectories(runtime, watcher) }
                    }
                }
            }
            if let watcher {
                Self.watchDirectories(runtime, watcher)
                tasks.addTask {
                    for await _ in watcher.changes() {
                        // A burst of writes (an editor's save) settles first.
                        try? await Task.sleep(for: .milliseconds(10))
                        runtime.refreshSoon()
                        Self.watchDirectories(runtime, watcher)
                    }
                }
            }
            try? await gracefulShutdown()
            watcher?.stop()
            tasks.cancelAll()
        }
        await runtime.stop(grace: grace)
    }

    /// The rule file's directory, and every files namer's directory with
    /// its parent (so a directory that appears is seen too).
    static func watchDirectories(_ runtime: ProxyRuntime, _ watcher: DirectoryWatcher) {
        if let file = runtime.config.source as? RuleFile { watcher.watch(file.baseDirectory) }
        for namer in runtime.config.snapshot.config.namers where namer.kind == .files {
            watcher.watch(namer.argument)
            watcher.watch((namer.argument as NSString).deletingLastPathComponent)
        }
    }
}
