// MARK: - Condition

/// One request test of a route's `when` clause, possibly negated.
public struct Condition: Sendable, Hashable {
    public var negated: Bool
    public var test: ConditionTest

    public init(_ test: ConditionTest, negated: Bool = false) {
        self.negated = negated
        self.test = test
    }
}

/// What a condition looks at. Host and header names are lower-cased when
/// read, since HTTP compares them case-insensitively.
public enum ConditionTest: Sendable, Hashable {
    case host(HostPattern)
    /// The whole path equals this.
    case path(String)
    /// Segment-aware prefix: `/users` matches `/users` and `/users/1`, not `/usersx`.
    case pathPrefix(String)
    /// The whole path matches this regular expression.
    case pathRegex(String)
    case methods([String])
    case headerPresent(String)
    case headerEquals(String, String)
    case headerMatches(String, String)
    case queryEquals(String, String)
}

/// `"api.example.com"` (exact) or `"*.example.com"` (any subdomain, at least one label).
public enum HostPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    /// The suffix after `*`, including the leading dot: `.example.com`.
    case wildcard(suffix: String)

    public init(_ text: String) {
        let lower = text.lowercased()
        if lower.hasPrefix("*.") {
            self = .wildcard(suffix: String(lower.dropFirst()))
        } else {
            self = .exact(lower)
        }
    }

    public var description: String {
        switch self {
        case .exact(let host): return host
        case .wildcard(let suffix): return "*" + suffix
        }
    }
}
