// MARK: - LimitsBlock

/// `limits { NAME VALUE … }`: the data plane's size limits and timeouts.
public struct LimitsBlock: Sendable, Hashable {
    public var items: [LimitItem]
    public var range: SourceRange
}

/// One `limits` line, e.g. `max-head-size 64KiB` or `header-read-timeout 10s`.
public struct LimitItem: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case bytes(Spanned<Int>)
        case count(Spanned<Int>)
        case duration(Spanned<Duration>)
    }

    public var name: Spanned<String>
    public var value: Value
    public var range: SourceRange

    /// Every limit and the kind of value it takes.
    public enum Kind: String, CaseIterable, Sendable {
        case maxHeadSize = "max-head-size"
        case maxRequestLine = "max-request-line"
        case maxHeaders = "max-headers"
        case headerReadTimeout = "header-read-timeout"
        case connectTimeout = "connect-timeout"
        case poolIdleTimeout = "pool-idle-timeout"

        public enum ValueKind: Sendable { case bytes, count, duration }

        public var valueKind: ValueKind {
            switch self {
            case .maxHeadSize, .maxRequestLine: return .bytes
            case .maxHeaders: return .count
            case .headerReadTimeout, .connectTimeout, .poolIdleTimeout: return .duration
            }
        }
    }

    public var valueText: String {
        switch value {
        case .bytes(let value), .count(let value): return value.text
        case .duration(let value): return value.text
        }
    }
}
