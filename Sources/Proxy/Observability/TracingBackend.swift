import Logging
import NIOConcurrencyHelpers
import OTel
import Prometheus
import RouteLang
import ServiceLifecycle
import Tracing

// MARK: - TracingBackend

/// swift-otel's tracer for `tracing otlp "URL" sample R` (parent-based
/// sampling at R is decided by `RequestTracing.decide`), W3C trace context extracted
/// and injected (B3 is translated by `B3Fields`, which swift-otel lacks),
/// spans batched and
/// exported over OTLP/HTTP by a background service. An unreachable
/// collector costs the request path nothing (a full batch queue drops
/// spans); the exporter's errors are counted in
/// `switchyard_trace_export_errors_total` and logged.
struct TracingBackend: Sendable {
    let tracer: any Tracer
    let service: any Service
    let config: TracingConfig

    init(_ config: TracingConfig, registry: PrometheusCollectorRegistry, logger: Logger) throws {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "switchyard"
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        // The ratio is applied before a span exists (`RequestTracing.decide`): an unsampled request never
        // reaches swift-otel, so it costs only its ids. What gets here is to be recorded.
        configuration.traces.sampler = .alwaysOn
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = (config.endpoint.hasSuffix("/") ? String(config.endpoint.dropLast()) : config.endpoint)
            + "/v1/traces"
        configuration.traces.otlpExporter.timeout = .seconds(2)
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(500)
        let errors = registry.makeCounter(descriptor: ProxyMetrics.name("trace_export_errors", "Problems swift-otel reported exporting spans "
                                                                           + "(an unreachable collector, a refused batch, spans dropped from a full queue)."))
        configuration.diagnosticLogger = .custom(Logger(label: "switchyard.tracing") { _ in
            CountingLogHandler(errors: errors, forward: logger)
        })
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        tracer = backend.factory
        service = backend.service
        self.config = config
    }
}

// MARK: - CountingLogHandler

/// Counts the warnings and errors swift-otel logs (its only report of a
/// failed export) and passes them on to the proxy's log, at most one a
/// minute (a collector that is down fails every batch).
struct CountingLogHandler: LogHandler {
    let errors: Counter
    let forward: Logger
    private let lastForwarded = NIOLockedValueBox<(at: ContinuousClock.Instant?, quiet: Int)>((nil, 0))
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    init(errors: Counter, forward: Logger) {
        self.errors = errors
        self.forward = forward
    }

    func log(event: LogEvent) {
        if event.level >= .warning { errors.increment() }
        let now = ContinuousClock.now
        let quiet = lastForwarded.withLockedValue { last -> Int? in
            if let at = last.at, now - at < .seconds(60) {
                last.quiet += 1
                return nil
            }
            defer { last = (now, 0) }
            return last.quiet
        }
        guard let quiet else { return }
        let more = quiet > 0 ? " (\(quiet) more in the last minute, counted in switchyard_trace_export_errors_total)" : ""
        forward.log(level: event.level, "tracing: \(event.message)\(more)", metadata: event.metadata)
    }
}
