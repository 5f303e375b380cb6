import RouteLang

// MARK: - GlobalNamer

/// Finagle's global namers under `/$`:
/// `/$/inet/HOST/PORT[/residual]` and `/$/inet/PORT` bind to that address,
/// `/$/fail` fails, `/$/nil` is a name with no endpoints; anything else is neg.
public struct GlobalNamer: Namer {
    public init() {}

    public func lookup(_ path: Path) -> NameTree<NamerResult> {
        guard let kind = path.labels.first else { return .neg }
        switch kind {
        case "fail": return .fail
        case "nil": return .empty
        case "inet": return inet(Array(path.labels.dropFirst()))
        default: return .neg
        }
    }

    /// `HOST/PORT` or a bare `PORT` (every interface, as Finagle binds it).
    func inet(_ labels: [String]) -> NameTree<NamerResult> {
        if labels.count >= 2, let port = Self.port(labels[1]) {
            let id = Path(["$", "inet", labels[0], labels[1]])
            let endpoint = Endpoint(host: labels[0], port: port)
            return .leaf(.bound(BoundName(id: id, residual: Path(Array(labels.dropFirst(2))), endpoints: [endpoint])))
        }
        if labels.count >= 1, let port = Self.port(labels[0]) {
            let id = Path(["$", "inet", labels[0]])
            return .leaf(.bound(BoundName(id: id, residual: Path(Array(labels.dropFirst())), endpoints: [Endpoint(host: "0.0.0.0", port: port)])))
        }
        return .neg
    }

    static func port(_ text: String) -> Int? {
        guard let port = Int(text), (0...65535).contains(port), text.allSatisfy(\.isASCII) else { return nil }
        return port
    }
}
