import Foundation
import RouteLang

// MARK: - RuleLinter

/// The whole lint: RouteLang's front end (parse, check, compile), then the
/// checks that need the Engine: delegation loops, and (unless offline) what
/// discovery has. `lint`, `run`, reloads, `explain` and `test` all read
/// rule files through here, so a file that lints with an error is never
/// served, and every one of them reads a namer's directory from the same place.
public enum RuleLinter {
    /// - Parameters:
    ///   - keepingLoops: keep the compiled config when only the delegation
    ///     checks found errors, so `explain` can show the loop a request
    ///     runs into (everything that serves traffic leaves it off).
    ///   - baseDirectory: where the rule file is; a relative `files`
    ///     directory is read from there, whoever runs the command from where.
    ///   - readDiscovery: run `DiscoveryLint` (lint, explain, test); the
    ///     proxy itself reports unreadable namers at run time instead.
    public static func lint(_ source: SourceFile, errorLimit: Int? = nil, keepingLoops: Bool = false, baseDirectory: String? = nil,
                            readDiscovery: Bool = false) -> LintResult {
        let (file, parsed) = RuleFrontEnd.parse(source, errorLimit: errorLimit)
        guard !parsed.hasErrors else { return LintResult(file: file, diagnostics: parsed, config: nil) }
        // The checker and the compiler read the parsed file and nothing of
        // each other, so the compile and the delegation checks run beside
        // the checker (a third of lint's time each at 10,000 routes). Their
        // answer is used only when the checker finds no error, as if they
        // had run after it.
        let (checked, compiled) = SideBySide.run({ Checker.check(file) }) { () -> (RoutingConfig, [Diagnostic]) in
            var config = Compiler.compile(file)
            if let baseDirectory {
                for index in config.namers.indices where config.namers[index].kind == .files {
                    config.namers[index].argument = resolve(config.namers[index].argument, from: baseDirectory)
                }
                for index in config.listeners.indices {
                    guard let tls = config.listeners[index].tls else { continue }
                    config.listeners[index].tls = TLSFiles(cert: resolve(tls.cert, from: baseDirectory), key: resolve(tls.key, from: baseDirectory))
                }
            }
            return (config, DelegationLint(file: file, config: config).diagnostics())
        }
        var diagnostics = parsed
        diagnostics.append(contentsOf: checked)
        guard !diagnostics.hasErrors else { return LintResult(file: file, diagnostics: diagnostics, config: nil) }
        let (config, loops) = compiled
        diagnostics.append(contentsOf: loops)
        if readDiscovery { diagnostics.append(contentsOf: DiscoveryLint(file: file, config: config).diagnostics()) }
        return LintResult(file: file, diagnostics: diagnostics, config: diagnostics.hasErrors && !keepingLoops ? nil : config)
    }

    /// `path` read from `directory` unless it is absolute.
    public static func resolve(_ path: String, from directory: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true)).standardizedFileURL.path
    }
}
