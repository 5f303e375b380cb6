import Foundation
import RouteLang

// MARK: - FilesNamer

/// `namer NAME = files "DIR"`: one file per service in DIR, each listing
/// endpoints (see `EndpointFile`). `/#/NAME/<service>/<rest>` binds to the
/// service's endpoints with residual `/<rest>`; a missing file is neg (the
/// source says the service is gone, so dtab alternatives take over).
///
/// Trust: a directory that cannot be read after it was read keeps its last
/// good set (stale); one never read fails the binding. A service file with
/// a bad line keeps its last good set too, and the report names the file
/// and line.
///
/// A `FilesNamer` is an immutable snapshot of the directory; the runtime
/// loads a new one when `fingerprint` changes, and a new snapshot of the
/// routing state follows (which invalidates cached bindings).
public struct FilesNamer: DiscoveryNamer {
    public var name: String
    public var directory: String
    public var services: [String: EndpointFile.Parsed]
    /// Why the directory could not be read and no set was ever read, if so.
    public var problem: String?
    /// Whether the directory cannot be read now and the last good set is served.
    public var stale = false
    /// `FILE line N: …` for service files whose last good set is kept.
    public var fileProblems: [String] = []

    public init(name: String, directory: String, services: [String: EndpointFile.Parsed], problem: String? = nil) {
        self.name = name
        self.directory = directory
        self.services = services
        self.problem = problem
    }

    public var report: NamerReport {
        let state: NamerReport.State = problem != nil ? .failed : stale ? .stale : .ok
        var problems = fileProblems
        if let problem { problems.insert(problem, at: 0) }
        if stale { problems.insert("cannot read directory \(directory): serving the last good set", at: 0) }
        return NamerReport(kind: .files, source: directory, state: state, services: services.mapValues(\.endpoints), problems: problems)
    }

    public func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        if let problem { throw NamerFailure(problem) }
        guard let service = path.labels.first, let parsed = services[service] else { return .neg }
        return .leaf(.bound(BoundName(id: Path(["#", name, service]), residual: path.dropFirst(1), endpoints: parsed.endpoints)))
    }

    // MARK: Loading

    /// Reads every regular, non-hidden file in `directory`; `previous` is
    /// the last snapshot, whose sets are kept where the new read is bad.
    public static func load(name: String, directory: String, previous: FilesNamer? = nil) -> FilesNamer {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: directory) else {
            if let previous, previous.problem == nil {
                var kept = previous
                kept.stale = true
                return kept
            }
            return FilesNamer(name: name, directory: directory, services: [:], problem: "cannot read directory \(directory)")
        }
        var services: [String: EndpointFile.Parsed] = [:]
        var fileProblems: [String] = []
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let file = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = manager.contents(atPath: file) else { continue }
            var parsed = EndpointFile.parse(String(decoding: data, as: UTF8.self))
            if !parsed.problems.isEmpty {
                fileProblems += parsed.problems.map { "\(file) \($0)" }
                // A half-written or mistyped file does not shrink the set.
                if let last = previous?.services[entry] { parsed = EndpointFile.Parsed(endpoints: last.endpoints, problems: parsed.problems) }
            }
            services[entry] = parsed
        }
        var namer = FilesNamer(name: name, directory: directory, services: services)
        namer.fileProblems = fileProblems
        return namer
    }

    /// Names, sizes and modification times of the directory's files: when it
    /// changes, the directory must be loaded again.
    public static func fingerprint(directory: String) -> [String: String] {
        let manager = FileManager.default
        // A directory that appears (even empty) is a change too.
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return ["": "missing"] }
        var result: [String: String] = [:]
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where !entry.hasPrefix(".") {
            let attributes = try? manager.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(entry))
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            result[entry] = "\(size)@\(modified)"
        }
        return result
    }
}
