import Engine
import Prometheus

// MARK: - ProxyMetrics

/// The proxy's metrics in a Prometheus registry (swift-prometheus): request
/// counts by status and destination, latency histograms by destination,
/// reloads. Each event loop keeps its own map from labels to metric objects
/// (`LoopMetrics`), so the request path only touches atomics.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    func requests(status: Int, destination: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: "requests", unitName: "total",
                                             helpText: "Requests answered, by status and bound destination."),
            labels: [("status", String(status)), ("dst", destination)])
    }

    func latency(destination: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: "request_duration", unitName: "seconds",
                                             helpText: "Time from request head to response end, by bound destination."),
            labels: [("dst", destination)], buckets: Self.latencyBuckets)
    }

    /// A per-destination counter of the attempt loop (`attempts`, `retries`, …).
    func attemptCounter(_ name: String, help: String, destination: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: name, unitName: "total", helpText: help),
            labels: [("dst", destination)])
    }

    /// One namer's answer: an update counted, an error counted when it
    /// could not be read, and gauges for staleness and endpoint count.
    func recordNamer(_ name: String, _ report: NamerReport) {
        func counter(_ metric: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: metric, unitName: "total", helpText: help),
                                 labels: [("namer", name)])
        }
        func gauge(_ metric: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: metric, unitName: "", helpText: help),
                               labels: [("namer", name)])
        }
        counter("namer_updates", "Snapshots read from a namer's source.").increment()
        if report.state == .failed || report.state == .stale || !report.problems.isEmpty {
            counter("namer_errors", "Snapshots with a problem (unreadable source, bad endpoint lines).").increment()
        }
        gauge("namer_stale", "1 while a namer serves its last good set because its source cannot be read.")
            .set(to: report.state == .stale ? 1.0 : 0.0)
        gauge("namer_endpoints", "Endpoints a namer lists, over all its services.").set(to: Double(report.endpointCount))
    }

    /// `result` is `applied` or `rejected`, the words `/config` uses.
    public func reloads(result: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "switchyard", metricName: "reloads", unitName: "total",
                                             helpText: "Configuration reloads, by result."),
            labels: [("result", result)])
    }

    /// The Prometheus text exposition.
    public func exposition() -> String {
        registry.emitToString()
    }
}

// MARK: - AttemptCounters

/// The attempt loop's counters for one destination: what the request
/// stack did beyond forwarding (observability exports them as they are).
struct AttemptCounters {
    let attempts: Counter
    let retries: Counter
    let budgetExhausted: Counter
    let evictions: Counter
    let probes: Counter
    let restorations: Counter

    init(_ metrics: ProxyMetrics, destination: String) {
        func counter(_ name: String, _ help: String) -> Counter {
            metrics.attemptCounter(name, help: help, destination: destination)
        }
        attempts = counter("attempts", "Attempts sent to endpoints (first tries and retries), by bound destination.")
        retries = counter("retries", "Attempts that were retries, by bound destination.")
        budgetExhausted = counter("retry_budget_exhausted", "Retries refused because the retry budget was spent.")
        evictions = counter("evictions", "Endpoints evicted by failure accrual.")
        probes = counter("probes", "Evicted endpoints probed with one request.")
        restorations = counter("restorations", "Evicted endpoints restored after a successful probe.")
    }
}

// MARK: - LoopMetrics

/// One event loop's cache of metric objects by label values.
final class LoopMetrics {
    let metrics: ProxyMetrics
    private var counters: [CounterKey: Counter] = [:]
    private var histograms: [String: DurationHistogram] = [:]
    private var attemptCounters: [String: AttemptCounters] = [:]
    private var lastAttempts: (destination: String, counters: AttemptCounters)?

    struct CounterKey: Hashable {
        var status: Int
        var destination: String
    }

    init(_ metrics: ProxyMetrics) {
        self.metrics = metrics
    }

    /// The attempt-loop counters of a destination (bound id). The last one
    /// asked for is kept aside: consecutive requests mostly share a
    /// destination, and comparing the same string is a pointer check.
    func attempts(_ destination: String) -> AttemptCounters {
        if let last = lastAttempts, last.destination == destination { return last.counters }
        let counters = attemptCounters[destination] ?? {
            let made = AttemptCounters(metrics, destination: destination)
            attemptCounters[destination] = made
            return made
        }()
        lastAttempts = (destination, counters)
        return counters
    }

    /// `destination` is the bound id, or `none` for requests answered before binding.
    func record(status: Int, destination: String, nanoseconds: Int64?) {
        let key = CounterKey(status: status, destination: destination)
        let counter = counters[key] ?? {
            let made = metrics.requests(status: status, destination: destination)
            counters[key] = made
            return made
        }()
        counter.increment()
        guard let nanoseconds else { return }
        let histogram = histograms[destination] ?? {
            let made = metrics.latency(destination: destination)
            histograms[destination] = made
            return made
        }()
        histogram.recordNanoseconds(nanoseconds)
    }
}
