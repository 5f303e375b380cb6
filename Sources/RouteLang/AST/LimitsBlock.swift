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
        case maxBodySize = "max-body-size"
        case bodyIdleTimeout = "body-idle-timeout"
        case delegationBudget = "delegation-budget"
        case retryBodySize = "retry-body-size"
        case removalGrace = "removal-grace"
        case h2MaxConcurrentStreams = "h2-max-concurrent-streams"
        case h2StreamWindow = "h2-stream-window"
        case h2IdleTimeout = "h2-idle-timeout"
        case h2Keepalive = "h2-keepalive"
        case endpointMetrics = "endpoint-metrics"

        public enum ValueKind: Sendable { case bytes, count, duration }

        public var valueKind: ValueKind {
            switch self {
            case .maxHeadSize, .maxRequestLine, .maxBodySize, .retryBodySize, .h2StreamWindow: return .bytes
            case .maxHeaders, .delegationBudget, .h2MaxConcurrentStreams, .endpointMetrics: return .count
            case .headerReadTimeout, .connectTimeout, .poolIdleTimeout, .bodyIdleTimeout, .removalGrace, .h2IdleTimeout, .h2Keepalive:
                return .duration
            }
        }

        /// The values a size or count limit accepts, and how to say so.
        public var allowed: (range: ClosedRange<Int>, text: String)? {
            switch self {
            case .maxHeadSize, .maxRequestLine: return (1024...(16 << 20), "between 1KiB and 16MiB")
            case .maxBodySize: return (1...(1 << 50), "between 1B and 1024TiB")
            case .retryBodySize: return (0...(64 << 20), "between 0B and 64MiB")
            case .maxHeaders: return (1...10_000, "between 1 and 10000")
            case .delegationBudget: return (100...1_000_000, "between 100 and 1000000")
            case .h2MaxConcurrentStreams: return (1...10_000, "between 1 and 10000")
            case .endpointMetrics: return (0...10_000, "between 0 (off) and 10000")
            // RFC 9113 section 6.9.2: at most 2^31-1; below 16KiB a single frame would not fit.
            case .h2StreamWindow: return ((16 << 10)...Int(Int32.max), "between 16KiB and 2GiB")
            case .headerReadTimeout, .connectTimeout, .poolIdleTimeout, .bodyIdleTimeout, .removalGrace, .h2IdleTimeout, .h2Keepalive:
                return nil
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
