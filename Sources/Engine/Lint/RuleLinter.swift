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
        var result = RuleFrontEnd.lint(source, errorLimit: errorLimit)
        guard var config = result.config else { return result }
        if let baseDirectory {
            for index in config.namers.indices where config.namers[index].kind == .files {
                config.namers[index].argument = resolve(config.namers[index].argument, from: baseDirectory)
            }
            result.config = config
        }
        result.diagnostics.append(contentsOf: DelegationLint(file: result.file, config: config).diagnostics())
        if readDiscovery { result.diagnostics.append(contentsOf: DiscoveryLint(file: result.file, config: config).diagnostics()) }
        if result.diagnostics.hasErrors, !keepingLoops { result.config = nil }
        return result
    }

    /// `path` read from `directory` unless it is absolute.
    public static func resolve(_ path: String, from directory: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: directory, isDirectory: true)).standardizedFileURL.path
    }
}
