// MARK: - TracingDecl

/// `tracing otlp "http://HOST:PORT" [sample 10%]`: a span per request and
/// per attempt, exported over OTLP/HTTP. `sample` is the share of traces
/// started here that are recorded; a caller's sampling decision is followed.
public struct TracingDecl: Sendable, Hashable {
    /// The exporter (`otlp` is the only one).
    public var exporter: Spanned<String>
    /// The collector's base URL; spans go to `<url>/v1/traces`.
    public var endpoint: Spanned<String>
    /// A ratio 0…1, as written (`10%`).
    public var sample: Spanned<Double>?
    public var range: SourceRange

    public static let exporters = ["otlp"]
}

// MARK: - AccessLogDecl

/// `access-log "PATH"`: one JSON line per answered request (`-`: standard output).
public struct AccessLogDecl: Sendable, Hashable {
    public var path: Spanned<String>
    public var range: SourceRange
}
