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
    /// delegation checks (loops) and, with `readDiscovery`, its discovery
    /// checks. Relative namer directories are read from the file's directory.
    public static func lint(_ path: String, errorLimit: Int? = nil, keepingLoops: Bool = false,
                            readDiscovery: Bool = false) throws -> LintResult {
        RuleLinter.lint(try read(path), errorLimit: errorLimit, keepingLoops: keepingLoops, baseDirectory: directory(of: path),
                        readDiscovery: readDiscovery)
    }

    /// The absolute directory a file is in.
    public static func directory(of path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (absolute as NSString).deletingLastPathComponent
    }
}

// MARK: - RuleFileError

public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
