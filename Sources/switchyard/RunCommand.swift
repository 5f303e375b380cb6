import ArgumentParser
import Logging
import NIOCore
import Proxy
import ServiceLifecycle

// MARK: - RunCommand

/// `switchyard run FILE|etcd://HOST:PORT/KEY`: serve rules until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy on a rule file or an etcd key (SIGHUP, a change on disk or a new revision reloads it).",
        discussion: """
            SIGTERM and SIGINT stop accepting, let requests in flight finish within --grace seconds, and exit 0.
            With etcd://HOST:PORT/KEY the rules are read from that key and every new revision is linted, \
            compiled and applied like a file reload (see `switchyard push`).
            """
    )

    @Argument(help: "A rule file (.routes, .yaml), or etcd://HOST:PORT/KEY.")
    var file: String

    @Option(name: .long, help: "Event loop threads (default: one per core).")
    var threads: Int?

    @Option(name: .long, help: "Seconds requests in flight get to finish on shutdown.")
    var grace: Int64 = 10

    @Flag(name: .long, inversion: .prefixedNo, help: "Reload when the rule file or a namer's directory changes.")
    var watch = true

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @OptionGroup var addresses: AddressOptions

    @Flag(name: .long, help: "Check and exit: lint with discovery, load TLS files, bind every address and release it; exit 0 or 1.")
    var check = false

    func run() async throws {
        if check { return try await runCheck() }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { _ in LineLogHandler(level: level) }
        let logger = Logger(label: "switchyard")
        let runtime: ProxyRuntime
        do {
            runtime = try ProxyRuntime(source: try await Self.source(file), threads: threads ?? System.coreCount,
                                       overrides: try addresses.overrides(), logger: logger)
        } catch let invalid as ProxyRuntime.InvalidConfiguration {
            Output.err(invalid.diagnostics)
            throw ExitCode(1)
        }
        let service = ProxyService(runtime: runtime, watch: watch, grace: .seconds(grace))
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// `--check`: what `run` would refuse, without serving.
    func runCheck() async throws {
        let report = await PreflightCheck.run(try await Self.source(file), overrides: try addresses.overrides())
        Output.out(report.diagnostics)
        for address in report.bound { Output.out("ok: can bind \(address)\n") }
        for problem in report.problems { Output.err("error: \(problem)\n") }
        Output.out(report.passed ? "\(file): ready to run\n" : "")
        if !report.passed { throw ExitCode(1) }
    }

    static func source(_ argument: String) async throws -> any RuleSource {
        guard argument.hasPrefix("etcd://") else { return RuleFile(path: argument) }
        guard let key = EtcdRuleKey(url: argument) else {
            throw ValidationError("`\(argument)` is not an etcd key URL: write \(EtcdRuleKey.form)")
        }
        try await key.open()
        return key
    }
}
