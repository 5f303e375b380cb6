import ArgumentParser
import Dispatch
import Engine
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Proxy
import RouteLang

// MARK: - RunCommand

/// `switchyard run FILE`: serve the listeners of a rule file.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy on a rule file."
    )

    @Argument(help: "A rule file (.routes, .yaml).")
    var file: String

    @Option(name: .long, help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Option(name: .long, help: "Header read timeout in seconds (slow clients get 408).")
    var headerTimeout: Int64 = 10

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let snapshot = try ExplainCommand.snapshot(file)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads ?? System.coreCount)
        let options = ProxyOptions(headerReadTimeout: .seconds(headerTimeout))
        let server = try ProxyServer(snapshot: snapshot, group: group, options: options)
        let addresses = try await server.start(listeners: snapshot.config.listeners)
        Output.err("switchyard: serving \(file) on \(addresses.map { "\($0)" }.joined(separator: ", "))\n")
        await SignalWaiter.wait(for: [SIGINT, SIGTERM])
        Output.err("switchyard: stopping\n")
        await server.shutdown()
        try await group.shutdownGracefully()
    }
}

// MARK: - SignalWaiter

/// Suspends until one of the signals arrives.
enum SignalWaiter {
    static func wait(for signals: [Int32]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = SignalOnce(continuation)
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.resume() }
                source.resume()
                once.keep(source)
            }
        }
    }

    /// Resumes the continuation once, whichever signal comes first.
    final class SignalOnce: @unchecked Sendable {
        private let lock = NIOLock()
        private var continuation: CheckedContinuation<Void, Never>?
        private var sources: [DispatchSourceSignal] = []

        init(_ continuation: CheckedContinuation<Void, Never>) {
            self.continuation = continuation
        }

        func keep(_ source: DispatchSourceSignal) {
            lock.withLock { sources.append(source) }
        }

        func resume() {
            let pending = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                defer { continuation = nil }
                return continuation
            }
            pending?.resume()
        }
    }
}
