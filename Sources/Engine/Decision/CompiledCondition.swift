import Glibc
import RouteLang
import RouteRegex

// MARK: - CompiledCondition

/// A condition ready to test against a request: regular expressions
/// compiled once, method lists as sets.
final class CompiledCondition: Sendable {

    enum Test {
        case host(HostPattern)
        case path(String)
        case pathPrefix(String)
        /// nil: the pattern did not compile, and it matches nothing.
        case regex(RouteRegex?, subject: Subject)
        case methods(Set<String>)
        case headerPresent(String)
        case headerEquals(String, String)
        case queryEquals(String, String)
    }

    enum Subject {
        case path
        case header(String)
    }

    let test: Test
    let negated: Bool
    let source: Condition

    init(_ condition: Condition) {
        source = condition
        negated = condition.negated
        switch condition.test {
        case .host(let pattern): test = .host(pattern)
        case .path(let path): test = .path(path)
        case .pathPrefix(let prefix): test = .pathPrefix(PathPrefix.normalized(prefix))
        case .pathRegex(let pattern): test = .regex(Self.anchored(pattern), subject: .path)
        case .methods(let methods): test = .methods(Set(methods))
        case .headerPresent(let name): test = .headerPresent(name)
        case .headerEquals(let name, let value): test = .headerEquals(name, value)
        case .headerMatches(let name, let pattern): test = .regex(Self.partial(pattern), subject: .header(name))
        case .queryEquals(let name, let value): test = .queryEquals(name, value)
        }
    }

    func matches(_ request: RequestFacts) -> Bool {
        holds(request) != negated
    }

    private func holds(_ request: RequestFacts) -> Bool {
        switch test {
        case .host(let pattern):
            guard let host = request.host else { return false }
            switch pattern {
            case .exact(let expected): return host == expected
            case .wildcard(let suffix): return host.count > suffix.count && host.hasSuffix(suffix)
            }
        case .path(let path): return request.path == path
        case .pathPrefix(let prefix): return Self.hasPrefix(request.path, normalized: prefix)
        case .regex(let regex, let subject):
            guard let regex else { return false }
            switch subject {
            case .path: return regex.matches(request.path)
            case .header(let name):
                guard let value = request.header(name) else { return false }
                return regex.matches(value)
            }
        case .methods(let methods): return methods.contains(request.method)
        case .headerPresent(let name): return request.header(name) != nil
        case .headerEquals(let name, let value): return request.header(name) == value
        case .queryEquals(let name, let value): return request.queryValue(name) == value
        }
    }

    /// Segment-aware prefix test against an already normalized prefix
    /// (`PathPrefix.matches` without re-normalizing per request).
    static func hasPrefix(_ path: String, normalized prefix: String) -> Bool {
        let prefixCount = prefix.utf8.count
        if prefixCount == 1 { return true }  // "/"
        let pathCount = path.utf8.count
        guard pathCount >= prefixCount else { return false }
        return path.withUTF8Bytes { pathBytes in
            prefix.withUTF8Bytes { prefixBytes in
                guard memcmp(pathBytes.baseAddress!, prefixBytes.baseAddress!, prefixCount) == 0 else { return false }
                return pathCount == prefixCount || pathBytes[prefixCount] == UInt8(ascii: "/")
            }
        }
    }

    /// `path regex` matches the whole path (`\z`: `$` would also allow a
    /// trailing newline).
    static func anchored(_ pattern: String) -> RouteRegex? {
        compile("^(?:\(pattern))\\z")
    }

    /// `header ~` matches anywhere unless the pattern anchors itself.
    static func partial(_ pattern: String) -> RouteRegex? {
        compile(pattern)
    }

    /// The checker has validated every pattern; one that still fails to
    /// compile matches nothing rather than crashing the proxy.
    static func compile(_ pattern: String) -> RouteRegex? {
        try? RouteRegex(pattern)
    }
}
