// MARK: - Specificity

/// How specific one `when` clause is, in the Gateway API precedence order:
/// exact host over wildcard host (longer suffix first) over none; exact path
/// over prefix (longer first) over regex over none; a method over none; more
/// header conditions; more query conditions. Ties go to the route written
/// first, which the caller decides.
///
/// The checker uses it to find shadowed routes; the Engine's decision tree
/// uses it to order candidates, so both agree on which route wins.
///
/// Lengths are in UTF-8 bytes. Two hosts or prefixes that can both match one
/// request are suffixes or prefixes of each other, so bytes order them as
/// characters would, without walking each string to count its Characters.
public struct Specificity: Sendable, Hashable, Comparable {
    public var hostRank: Int
    public var hostLength: Int
    public var pathRank: Int
    public var pathLength: Int
    public var methodRank: Int
    public var headerCount: Int
    public var queryCount: Int

    public init(_ conditions: [Condition]) {
        hostRank = 0
        hostLength = 0
        pathRank = 0
        pathLength = 0
        methodRank = 0
        headerCount = 0
        queryCount = 0
        for condition in conditions {
            switch condition.test {
            case .host(let pattern) where !condition.negated:
                switch pattern {
                case .exact(let host): Self.raise(&hostRank, &hostLength, to: 2, host.utf8.count)
                case .wildcard(let suffix): Self.raise(&hostRank, &hostLength, to: 1, suffix.utf8.count)
                }
            case .path(let path) where !condition.negated:
                Self.raise(&pathRank, &pathLength, to: 3, path.utf8.count)
            case .pathPrefix(let prefix) where !condition.negated:
                Self.raise(&pathRank, &pathLength, to: 2, PathPrefix.normalized(prefix).utf8.count)
            case .pathRegex where !condition.negated:
                Self.raise(&pathRank, &pathLength, to: 1, 0)
            case .methods where !condition.negated:
                methodRank = 1
            case .headerPresent, .headerEquals, .headerMatches:
                headerCount += 1
            case .queryEquals:
                queryCount += 1
            default:
                break
            }
        }
    }

    /// Keeps the stronger of two (rank, length) pairs.
    private static func raise(_ rank: inout Int, _ length: inout Int, to newRank: Int, _ newLength: Int) {
        if (newRank, newLength) > (rank, length) { (rank, length) = (newRank, newLength) }
    }

    /// Why a clause with this specificity ranks above one with `other`'s
    /// (for `explain`): the first rule of the precedence order that tells
    /// them apart, in words.
    public func reason(over other: Specificity) -> String {
        if hostRank != other.hostRank {
            let names = ["no host test", "a wildcard host", "an exact host"]
            return "\(names[hostRank]) ranks above \(names[other.hostRank])"
        }
        if hostLength != other.hostLength { return "its host is longer (\(hostLength) bytes against \(other.hostLength))" }
        if pathRank != other.pathRank {
            let names = ["no path test", "a path regex", "a path prefix", "an exact path"]
            return "\(names[pathRank]) ranks above \(names[other.pathRank])"
        }
        if pathLength != other.pathLength { return "its path is longer (\(pathLength) bytes against \(other.pathLength))" }
        if methodRank != other.methodRank { return "it tests the method" }
        if headerCount != other.headerCount { return "it tests more headers (\(headerCount) against \(other.headerCount))" }
        if queryCount != other.queryCount { return "it tests more query parameters (\(queryCount) against \(other.queryCount))" }
        return "equally specific, and written first"
    }

    public static func < (lhs: Specificity, rhs: Specificity) -> Bool {
        let left = (lhs.hostRank, lhs.hostLength, lhs.pathRank, lhs.pathLength)
        let right = (rhs.hostRank, rhs.hostLength, rhs.pathRank, rhs.pathLength)
        if left != right { return left < right }
        return (lhs.methodRank, lhs.headerCount, lhs.queryCount) < (rhs.methodRank, rhs.headerCount, rhs.queryCount)
    }
}

// MARK: - PathPrefix

/// Segment-aware path prefixes (Gateway API `PathPrefix`): `/users/` and
/// `/users` both match `/users` and `/users/42` but not `/usersx`.
public enum PathPrefix {
    /// The prefix without a trailing `/` (the root stays `/`).
    public static func normalized(_ prefix: String) -> String {
        // Bytes, not Characters: counting Characters walks the whole string.
        let utf8 = prefix.utf8
        var end = utf8.endIndex
        while utf8.distance(from: utf8.startIndex, to: end) > 1, utf8[utf8.index(before: end)] == UInt8(ascii: "/") {
            end = utf8.index(before: end)
        }
        return end == utf8.endIndex ? prefix : String(prefix[..<end])
    }

    /// Whether `path` (without query) falls under `prefix`.
    public static func matches(_ path: some StringProtocol, prefix: String) -> Bool {
        let normalized = normalized(prefix)
        if normalized == "/" { return true }
        guard path.hasPrefix(normalized) else { return false }
        if path.count == normalized.count { return true }
        return path[path.index(path.startIndex, offsetBy: normalized.count)] == "/"
    }
}
