import ArgumentParser
import Engine
import Foundation
import Logging
import NIOCore
import NIOPosix
import Proxy
import RouteLang

// MARK: - DemoCommand

/// `switchyard demo`: the embedded example end to end. It starts in-process
/// backends for every service in the example's discovery directory, runs
/// the proxy on examples/quickstart.routes, sends traffic, and prints per
/// destination: requests, share of its service, latency, the proxy's
/// attempts and retries, and the errors clients saw. users-v2's second
/// instance answers 500 to everything: retries absorb it and failure
/// accrual evicts it. Halfway the demo removes pay-eu from discovery, so
/// the fail-over to pay-us shows.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the proxy on the embedded example with in-process backends and show where traffic goes."
    )

    /// The embedded example: the traffic mix, the failing instance and the
    /// discovery change are written for it, so the demo runs nothing else.
    static let file = "examples/quickstart.routes"

    @Option(name: .long, help: "Requests to send in each of the two phases.")
    var requests = 1000

    @Option(name: .long, help: "Concurrent clients.")
    var concurrency = 8

    @OptionGroup var addresses: AddressOptions

    /// Latency and failure rate per service of examples/disco, or per
    /// instance (`service#N`, N counted from 1 in file order).
    static let behaviors: [String: DemoBackend.Behavior] = [
        "users-v1": .init(latency: .milliseconds(4), failureRate: 0),
        "users-v2": .init(latency: .milliseconds(12), failureRate: 0.04),
        "users-v2#2": .init(latency: .milliseconds(2), failureRate: 1),
        "users-staging": .init(latency: .milliseconds(6), failureRate: 0),
        "pay-eu": .init(latency: .milliseconds(8), failureRate: 0),
        "pay-us": .init(latency: .milliseconds(30), failureRate: 0),
        "search-v1": .init(latency: .milliseconds(5), failureRate: 0),
        "search-v2": .init(latency: .milliseconds(9), failureRate: 0.01),
    ]

    func run() async throws {
        let setup = try DemoSetup(file: Self.file)
        defer { setup.cleanUp() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var backends: [DemoBackend] = []
        var instances: [String: Int] = [:]
        for (service, port) in setup.services {
            instances[service, default: 0] += 1
            let behavior = Self.behaviors["\(service)#\(instances[service]!)"] ?? Self.behaviors[service]
                ?? .init(latency: .milliseconds(3), failureRate: 0)
            do {
                backends.append(try await DemoBackend(name: service, port: port, behavior: behavior, group: group))
            } catch {
                // The example's port is taken (another demo runs): any port, and discovery says so.
                do {
                    let moved = try await DemoBackend(name: service, port: 0, behavior: behavior, group: group)
                    try setup.move(service, from: port, to: moved.port)
                    backends.append(moved)
                } catch {
                    Output.err("error: cannot start the \(service) backend on 127.0.0.1: \(error)\n")
                    throw ExitCode(1)
                }
            }
        }
        var logger = Logger(label: "switchyard.demo")
        logger.logLevel = .warning
        let runtime = try ProxyRuntime(path: setup.rules.path, threads: 2, overrides: try addresses.overrides(), logger: logger)
        do {
            try await runtime.start()
        } catch let error as BindError {
            Output.err("error: \(error)\n       another proxy or demo holds it: give --listen 127.0.0.1:0 --admin 127.0.0.1:0 (any free ports)\n")
            await runtime.stop(grace: .zero)
            throw ExitCode(1)
        }
        let port = runtime.listenerAddresses.withLockedValue { $0[0].port! }
        Output.out("""
            switchyard demo: \(Self.file) on 127.0.0.1:\(port), admin on \(runtime.adminAddress?.hostPort ?? "?")
            \(backends.count) in-process backends from \(setup.originalDirectory)/ (users-v2 fails 4% and its second instance \
            every request; pay-us is a far region)

            """)

        let notes = [
            "users": "dtab: 0.95 * users-v1 & 0.05 * users-v2 (canary); api.example.com/users/ has its own 2s timeout\n"
                + "           users-v2's second instance answers 500: retries (counted where they went) hide it, accrual evicts it",
            "pay": "dtab: pay-eu | pay-us (fail-over)",
            "search": "split /svc/search { 90% search-v1  10% search-v2 }",
            "staging": "x-env: staging requests use the route's own dtab",
        ]
        let metrics = runtime.server.metrics
        let before1 = DemoCounters(metrics.exposition())
        var phase1 = await DemoTraffic.run(port: port, count: requests, concurrency: concurrency, group: group)
        phase1.counters = DemoCounters(metrics.exposition()).since(before1)
        Output.out("Phase 1: \(requests) requests, every service discovered\n" + phase1.table(notes: notes) + "\n")

        setup.removeFromDiscovery("pay-eu")
        runtime.config.checkForChanges()
        let before2 = DemoCounters(metrics.exposition())
        var phase2 = await DemoTraffic.run(port: port, count: requests, concurrency: concurrency, group: group)
        phase2.counters = DemoCounters(metrics.exposition()).since(before2)
        var phase2Notes = notes
        phase2Notes["pay"] = "pay-eu was removed from discovery: the alternation now binds pay-us"
        Output.out("Phase 2: \(requests) requests after pay-eu left discovery\n" + phase2.table(notes: phase2Notes) + "\n")

        // Requests by status, and whatever accrual and the budget did.
        let lines = metrics.exposition().split(separator: "\n").filter { line in
            !line.hasSuffix(" 0") && ["requests", "evictions", "probes", "restorations", "retry_budget_exhausted"]
                .contains { line.hasPrefix("switchyard_\($0)_total") }
        }.sorted()
        Output.out("The proxy's own count (admin /metrics, every series in docs/metrics.md):\n" + lines.map { "  \($0)\n" }.joined())
        let admin = runtime.adminAddress?.hostPort ?? "?"
        let tracing = runtime.config.snapshot.config.tracing
        Output.out("""

            Where to look on a running proxy: http://\(admin)/metrics (Prometheus), /endpoints, /routes, /config.
            Traces: \(tracing.map { "exported to \($0.endpoint)/v1/traces" } ?? "off; add `tracing otlp \"http://COLLECTOR:4318\"` to the rules to export a span per request and attempt").

            """)
        await runtime.stop(grace: .seconds(2))
        for backend in backends { await backend.close() }
        try await group.shutdownGracefully()
    }
}

// MARK: - DemoSetup

/// A private copy of the example's discovery directory (so the demo can
/// change it) and of the rule file pointing at it.
struct DemoSetup {
    /// The scratch directory: the rule file, and the discovery copy beside it.
    let root: URL
    /// The copy of the discovery directory the demo edits.
    let directory: URL
    let rules: URL
    let originalDirectory: String
    /// Service name and port of every 127.0.0.1 endpoint.
    let services: [(String, Int)]

    init(file: String) throws {
        let source = try RuleFileLoader.read(file)
        guard let config = RuleFrontEnd.lint(source).config, let namer = config.namers.first else {
            throw ValidationError("\(file) must compile and declare a files namer")
        }
        // A relative namer directory is the rule file's own neighbour.
        originalDirectory = RuleLinter.resolve(namer.argument, from: RuleFileLoader.directory(of: file))
        root = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-demo-\(UUID().uuidString)")
        directory = root.appendingPathComponent("disco")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: originalDirectory), to: directory)
        var services: [(String, Int)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for endpoint in EndpointFile.parse(text).endpoints where endpoint.host == "127.0.0.1" {
                services.append((name, endpoint.port))
            }
        }
        self.services = services
        // Beside the discovery directory, not in it: a files namer reads
        // every file of its directory as a service.
        rules = root.appendingPathComponent("demo.routes")
        let text = source.text.replacingOccurrences(of: "\"\(namer.argument)\"", with: "\"\(directory.path)\"")
        try text.write(to: rules, atomically: true, encoding: .utf8)
    }

    /// Points `service`'s endpoint on 127.0.0.1:`from` at `to` in the copy.
    func move(_ service: String, from: Int, to: Int) throws {
        let file = directory.appendingPathComponent(service)
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 2, fields[0] == "127.0.0.1", fields[1] == "\(from)" else { return String(line) }
            fields[1] = "\(to)"
            return fields.joined(separator: " ")
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    func removeFromDiscovery(_ service: String) {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(service))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: root)
    }
}

// MARK: - DemoTraffic

/// The demo's request mix: half to the users API (canary), a fifth each to
/// pay (fail-over) and search (split), a tenth from staging.
enum DemoTraffic {
    static func run(port: Int, count: Int, concurrency: Int, group: EventLoopGroup) async -> DemoReport {
        var report = DemoReport()
        await withTaskGroup(of: [(String, DemoClient.Reply, Double)].self) { tasks in
            for worker in 0..<concurrency {
                tasks.addTask {
                    var results: [(String, DemoClient.Reply, Double)] = []
                    var index = worker
                    while index < count {
                        let (service, host, path, headers) = request(index)
                        let clock = ContinuousClock()
                        let start = clock.now
                        let reply = await DemoClient.send(port: port, host: host, path: path, headers: headers, group: group)
                        let elapsed = clock.now - start
                        results.append((service, reply, Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
                        index += concurrency
                    }
                    return results
                }
            }
            for await results in tasks {
                for (service, reply, milliseconds) in results { report.add(service: service, reply: reply, milliseconds: milliseconds) }
            }
        }
        return report
    }

    static func request(_ index: Int) -> (String, String, String, [(String, String)]) {
        switch index % 10 {
        case 0...4: return ("users", "api.example.com", "/users/\(index)", [])
        case 5, 6: return ("pay", "pay", "/charge/\(index)", [])
        case 7, 8: return ("search", "search", "/?q=\(index)", [])
        default: return ("staging", "users", "/profile", [("x-env", "staging")])
        }
    }
}
