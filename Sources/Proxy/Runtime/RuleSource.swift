import Foundation
import RouteLang

// MARK: - RuleSource

/// Where the running rule text comes from: a file on disk, or a key in
/// etcd. A reload reads it the same way from either, so the lint, the
/// compile and the swap (or the rejection) are one code path.
public protocol RuleSource: Sendable {
    /// The path or the `etcd://` URL, as diagnostics and `/config` name it.
    var name: String { get }
    /// Relative namer directories are read from here.
    var baseDirectory: String { get }
    func read() throws -> SourceFile
    /// Changes when the text may have changed; cheap.
    func fingerprint() -> String
    /// What a change is called in logs and `/config`: `file change`, `etcd revision 12`.
    func changeTrigger() -> String
}

// MARK: - RuleFile

/// A rule file (`.routes`, `.yaml`).
public struct RuleFile: RuleSource {
    public let path: String

    public init(path: String) { self.path = path }

    public var name: String { path }
    public var baseDirectory: String { RuleFileLoader.directory(of: path) }
    public func read() throws -> SourceFile { try RuleFileLoader.read(path) }
    public func changeTrigger() -> String { "file change" }

    public func fingerprint() -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return "\(size)@\(modified)#\(ConfigRuntime.version(text))"
    }
}
