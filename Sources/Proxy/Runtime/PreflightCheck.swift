import Engine
import NIOCore
import NIOPosix
import RouteLang

// MARK: - PreflightCheck

/// `switchyard run --check FILE`: everything `run` would do before it
/// serves, without serving, so a deploy pipeline can refuse a rule file or
/// a host that would not come up (nginx's `-t`): read and lint the rules
/// with discovery, load each TLS listener's certificate and key, and bind
/// (then release) every listener and the admin address.
public enum PreflightCheck {
    public struct Report: Sendable {
        /// The lint diagnostics, rendered as text.
        public var diagnostics: String
        /// What stops the proxy from starting, one line each.
        public var problems: [String]
        /// The addresses bound and released.
        public var bound: [String]

        public var passed: Bool { problems.isEmpty }
    }

    public static func run(_ source: any RuleSource, overrides: AddressOverrides) async -> Report {
        var report = Report(diagnostics: "", problems: [], bound: [])
        let built: SnapshotBuilder.Built
        do {
            built = try SnapshotBuilder.build(source, readDiscovery: true)
        } catch {
            report.problems.append("\(error)")
            return report
        }
        report.diagnostics = DiagnosticRenderer().render(built.lint.diagnostics.sorted, in: built.lint.source)
        guard let config = built.snapshot?.config else {
            let errors = built.lint.diagnostics.errorCount
            report.problems.append("\(errors) error\(errors == 1 ? "" : "s") in \(source.name)")
            return report
        }
        let listeners: [ListenerConfig]
        do {
            listeners = try overrides.listeners(config.listeners)
        } catch {
            report.problems.append("\(error)")
            return report
        }
        for listener in listeners {
            if let tls = listener.tls {
                do { _ = try ProxyServer.tlsContext(tls) } catch { report.problems.append("listener \(listener.address): \(error)") }
            }
        }
        let addresses = listeners.map { ("listener", $0.address) } + [("admin", overrides.admin(config.admin))]
        for (what, address) in addresses {
            do {
                let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: address.host, port: address.port).get()
                report.bound.append("\(what) \(channel.localAddress?.hostPort ?? address.description)")
                try await channel.close()
            } catch {
                report.problems.append(BindError(what: what, host: address.host, port: address.port, error: error).description)
            }
        }
        return report
    }
}
