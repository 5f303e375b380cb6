import RouteLang

// MARK: - NameBuilder

/// Fills a `to` or `identify` template from a request: `/svc/{host}` with
/// `Host: api.example.com` is `/svc/api.example.com`.
public enum NameBuilder {
    /// Why a template could not be filled (the request is then unidentified).
    public struct MissingFact: Error, Sendable, Hashable, CustomStringConvertible {
        public var variable: PathTemplate.Variable

        public var description: String {
            switch variable {
            case .host: return "the request has no host"
            case .method: return "the request has no method"
            case .path(let count): return "the path has fewer than \(count) segments"
            case .header(let name): return "the request has no \(name) header"
            }
        }
    }

    public static func name(for template: PathTemplate, request: RequestFacts) -> Result<Path, MissingFact> {
        var missing: PathTemplate.Variable?
        guard let path = path(for: template, request: request, missing: &missing) else {
            return .failure(MissingFact(variable: missing!))
        }
        return .success(path)
    }

    /// `name(for:request:)` without the Result, for the request path: a
    /// Result holding a Path was destroyed through the runtime's generic
    /// value witnesses, about 400 instructions per request (callgrind).
    public static func path(for template: PathTemplate, request: RequestFacts,
                            missing: inout PathTemplate.Variable?) -> Path? {
        var labels: [String] = []
        labels.reserveCapacity(template.labels.count + 1)
        for label in template.labels {
            if label.count == 1 {
                switch label[0] {
                case .literal(let literal):
                    labels.append(literal)
                    continue
                case .variable(.path(let count)):
                    // `{path:N}` alone in a label expands to N labels.
                    guard request.appendLeadingSegments(count, to: &labels) else {
                        missing = .path(count)
                        return nil
                    }
                    continue
                case .variable:
                    break
                }
            }
            var text = ""
            for part in label {
                switch part {
                case .literal(let literal): text += literal
                case .variable(let variable):
                    guard let value = value(of: variable, in: request), !value.isEmpty else {
                        missing = variable
                        return nil
                    }
                    text += value
                }
            }
            labels.append(text)
        }
        return Path(labels)
    }

    /// Whether filling `template` from `request` gives exactly `name`,
    /// decided without building a name (no allocation): how the router
    /// knows a request names what the previous one did. False for
    /// templates with `{path:N}` (their segments would have to be cut).
    public static func fills(_ template: PathTemplate, request: RequestFacts, _ name: Path) -> Bool {
        let labels = name.labels
        guard labels.count == template.labels.count else { return false }
        for (label, expected) in zip(template.labels, labels) {
            var rest = expected.utf8[...]
            for part in label {
                let piece: String
                switch part {
                case .literal(let literal): piece = literal
                case .variable(.path): return false
                case .variable(let variable):
                    guard let value = value(of: variable, in: request), !value.isEmpty else { return false }
                    piece = value
                }
                guard rest.starts(with: piece.utf8) else { return false }
                rest = rest.dropFirst(piece.utf8.count)
            }
            guard rest.isEmpty else { return false }
        }
        return true
    }

    static func value(of variable: PathTemplate.Variable, in request: RequestFacts) -> String? {
        switch variable {
        case .host: return request.host
        case .method: return request.method
        case .header(let name): return request.header(name)
        case .path(let count):
            var segments: [String] = []
            return request.appendLeadingSegments(count, to: &segments) ? segments.joined(separator: "/") : nil
        }
    }
}
