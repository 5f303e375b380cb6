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
                    guard request.appendLeadingSegments(count, to: &labels) else { return .failure(MissingFact(variable: .path(count))) }
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
                        return .failure(MissingFact(variable: variable))
                    }
                    text += value
                }
            }
            labels.append(text)
        }
        return .success(Path(labels))
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
