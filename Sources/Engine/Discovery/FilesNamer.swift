import Foundation
import RouteLang

// MARK: - FilesNamer

/// `namer NAME = files "DIR"`: one file per service in DIR, each listing
/// endpoints (see `EndpointFile`). `/#/NAME/<service>/<rest>` binds to the
/// service's endpoints with residual `/<rest>`; a missing file is neg, an
/// unreadable directory fails the binding.
///
/// A `FilesNamer` is an immutable snapshot of the directory; the runtime
/// loads a new one when `fingerprint` changes, and a new snapshot of the
/// routing state follows (which invalidates cached bindings).
public struct FilesNamer: Namer {
    public var name: String
    public var directory: String
    public var services: [String: EndpointFile.Parsed]
    /// Why the directory could not be read, if it could not.
    public var problem: String?

    public init(name: String, directory: String, services: [String: EndpointFile.Parsed], problem: String? = nil) {
        self.name = name
        self.directory = directory
        self.services = services
        self.problem = problem
    }

    public func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        if let problem { throw NamerFailure(problem) }
        guard let service = path.labels.first, let parsed = services[service] else { return .neg }
        return .leaf(.bound(BoundName(id: Path(["#", name, service]), residual: path.dropFirst(1), endpoints: parsed.endpoints)))
    }

    // MARK: Loading

    /// Reads every regular, non-hidden file in `directory`.
    public static func load(name: String, directory: String) -> FilesNamer {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: directory) else {
            return FilesNamer(name: name, directory: directory, services: [:], problem: "cannot read directory \(directory)")
        }
        var services: [String: EndpointFile.Parsed] = [:]
        for entry in entries where !entry.hasPrefix(".") {
            let file = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = manager.contents(atPath: file) else { continue }
            services[entry] = EndpointFile.parse(String(decoding: data, as: UTF8.self))
        }
        return FilesNamer(name: name, directory: directory, services: services)
    }

    /// Names, sizes and modification times of the directory's files: when it
    /// changes, the directory must be loaded again.
    public static func fingerprint(directory: String) -> [String: String] {
        let manager = FileManager.default
        var result: [String: String] = [:]
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where !entry.hasPrefix(".") {
            let attributes = try? manager.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(entry))
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            result[entry] = "\(size)@\(modified)"
        }
        return result
    }

    /// Namers for every `files` namer of a config.
    public static func table(for config: RoutingConfig) -> NamerTable {
        var namers: [String: any Namer] = [:]
        for namer in config.namers {
            switch namer.kind {
            case .files: namers[namer.name] = FilesNamer.load(name: namer.name, directory: namer.argument)
            }
        }
        return NamerTable(namers)
    }
}
