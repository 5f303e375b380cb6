// MARK: - PathTemplate

/// A name with holes filled per request: `/svc/{host}`, `/svc/{header:x-svc}/{path:1}`.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a label: literal text or a request fact.
    public enum Part: Sendable, Hashable {
        case literal(String)
        case variable(Variable)
    }

    /// The request facts a template may use.
    public enum Variable: Sendable, Hashable {
        /// The Host header (or :authority), lower-cased, without port.
        case host
        /// The request method.
        case method
        /// The first N path segments, each its own label.
        case path(Int)
        /// The value of a header (name lower-cased).
        case header(String)

        /// The spelling inside `{…}`.
        public var spelling: String {
            switch self {
            case .host: return "host"
            case .method: return "method"
            case .path(let count): return "path:\(count)"
            case .header(let name): return "header:\(name)"
            }
        }

        public static let names = ["host", "method", "path:N", "header:NAME"]
    }

    /// Each label is a sequence of parts (`{host}-v2` is a variable then a literal).
    public var labels: [[Part]]

    public init(labels: [[Part]]) {
        self.labels = labels
    }

    public init(_ path: Path) {
        self.labels = path.labels.map { [.literal($0)] }
    }

    /// The path when the template has no variables.
    public var staticPath: Path? {
        var result: [String] = []
        for label in labels {
            guard label.count == 1, case .literal(let text) = label[0] else { return nil }
            result.append(text)
        }
        return Path(result)
    }

    /// The longest literal prefix (used to check that a name can bind).
    public var staticPrefix: Path {
        var result: [String] = []
        for label in labels {
            guard label.count == 1, case .literal(let text) = label[0] else { break }
            result.append(text)
        }
        return Path(result)
    }

    public var variables: [Variable] {
        labels.flatMap { $0.compactMap { if case .variable(let v) = $0 { return v } else { return nil } } }
    }

    /// The RouteLang spelling, e.g. `/svc/{host}`.
    public var description: String {
        if labels.isEmpty { return "/" }
        return labels.map { label in
            "/" + label.map { part in
                switch part {
                case .literal(let text): return Path.showLabel(text)
                case .variable(let variable): return "{\(variable.spelling)}"
                }
            }.joined()
        }.joined()
    }
}
