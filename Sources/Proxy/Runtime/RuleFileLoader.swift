import Foundation
import Engine
import RouteLang

// MARK: - RuleFileLoader

/// Reads rule files from disk. RouteLang itself does no I/O; the runtime
/// (reload, the CLI) goes through here so read errors are reported the same
/// way everywhere.
public enum RuleFileLoader {
    /// The file's text as a `SourceFile` named by its path.
    public static func read(_ path: String) throws -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw RuleFileError(path: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError(path: path, reason: "is not UTF-8 text")
        }
        return SourceFile(name: path, text: text)
    }

    /// Reads, parses, checks and compiles a rule file, with the Engine's
    /// delegation checks (loops).
    public static func lint(_ path: String, errorLimit: Int? = nil, keepingLoops: Bool = false) throws -> LintResult {
        RuleLinter.lint(try read(path), errorLimit: errorLimit, keepingLoops: keepingLoops)
    }
}

// MARK: - RuleFileError

public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
