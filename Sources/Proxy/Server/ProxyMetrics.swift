import Engine
import NIOConcurrencyHelpers
import Prometheus
import RouteLang

// MARK: - ProxyMetrics

/// The proxy's metrics in a Prometheus registry (swift-prometheus), every
/// series listed in docs/metrics.md. Families whose labels are known at
/// start (reloads, config, connections, in-flight) exist from start; a
/// route, name or destination's series appear, all at zero, the first time
/// a request uses it. Each event loop keeps its own map from labels to
/// metric objects (`LoopMetrics`), so the request path only touches atomics.
public final class ProxyMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// `switchyard_request_duration_seconds` buckets.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]
    /// `switchyard_request_attempts` buckets.
    static let attemptBuckets: [Double] = [1, 2, 3, 4, 5, 10]
    /// Distinct logical names labelled before the rest count as `other`:
    /// names come from request hosts and paths, which clients choose.
    static let maxNames = 1000
    /// Distinct destinations labelled before the rest count as `other`:
    /// discovery bounds them, but a namer may list tens of thousands.
    static let maxDestinations = 1000

    let inFlight: Gauge
    private let names = NIOLockedValueBox<Set<String>>([])
    private let destinations = NIOLockedValueBox<Set<String>>([])
    /// `dst endpoint` pairs with series of their own (`EndpointSeries`).
    let endpointLabels = NIOLockedValueBox<Set<String>>([])
    private let configInfo = NIOLockedValueBox<Gauge?>(nil)
    private let destinationGauges = NIOLockedValueBox<[String: (endpoints: Gauge, evicted: Gauge, pending: Gauge, shed: Gauge)]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlight = registry.makeGauge(descriptor: Self.name("requests_in_flight", unit: "",
                                                           "Requests received and not yet answered."))
        for result in ["applied", "rejected"] { _ = reloads(result: result) }
    }

    static func name(_ metric: String, unit: String = "total", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "switchyard", metricName: metric, unitName: unit, helpText: help)
    }

    // MARK: Requests

    /// The labels of one answered request: its route, logical name and
    /// bound destination (`none` where the request did not get that far).
    struct RequestLabels: Hashable {
        var route: String
        var name: String
        var destination: String

        static let none = RequestLabels(route: "none", name: "none", destination: "none")

        var pairs: [(String, String)] { [("route", route), ("name", name), ("dst", destination)] }
    }

    /// A request's labels with its name and destination capped (`maxNames`, `maxDestinations`).
    func bounded(_ labels: RequestLabels) -> RequestLabels {
        var labels = labels
        labels.name = Self.admit(labels.name, to: names, limit: Self.maxNames)
        labels.destination = boundedDestination(labels.destination)
        return labels
    }

    /// A destination's label value, `other` past `maxDestinations`.
    func boundedDestination(_ destination: String) -> String {
        Self.admit(destination, to: destinations, limit: Self.maxDestinations)
    }

    private static func admit(_ value: String, to admitted: NIOLockedValueBox<Set<String>>, limit: Int) -> String {
        admitted.withLockedValue { values in
            if values.contains(value) { return value }
            guard values.count < limit else { return "other" }
            values.insert(value)
            return value
        }
    }

    func requests(_ labels: RequestLabels, statusClass: String, classification: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("requests", "Requests answered, by route, logical name, bound destination, "
                                                       + "status class and classification."),
                             labels: labels.pairs + [("status_class", statusClass), ("classification", classification)])
    }

    func latency(_ labels: RequestLabels) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.name("request_duration", unit: "seconds",
                                                             "Time from request head to response end."),
                                       labels: labels.pairs, buckets: Self.latencyBuckets)
    }

    func attemptsPerRequest(_ labels: RequestLabels) -> ValueHistogram {
        registry.makeValueHistogram(descriptor: Self.name("request_attempts", unit: "",
                                                          "Attempts each request took (1: no retry)."),
                                    labels: labels.pairs, buckets: Self.attemptBuckets)
    }

    /// A per-destination counter of the attempt loop (`attempts`, `retries`, …).
    func attemptCounter(_ name: String, help: String, destination: String) -> Counter {
        registry.makeCounter(descriptor: Self.name(name, help), labels: [("dst", destination)])
    }

    // MARK: Connections

    func connections(listener: String) -> ListenerSeries {
        let labels = [("listener", listener)]
        return ListenerSeries(
            accepted: registry.makeCounter(descriptor: Self.name("connections", "Client connections accepted."), labels: labels),
            open: registry.makeGauge(descriptor: Self.name("connections_open", unit: "", "Client connections open now."), labels: labels),
            received: registry.makeCounter(descriptor: Self.name("received_bytes", "Bytes received from clients."), labels: labels),
            sent: registry.makeCounter(descriptor: Self.name("sent_bytes", "Bytes sent to clients."), labels: labels),
            http2Connections: registry.makeCounter(descriptor: Self.name("http2_connections", "Client connections that spoke HTTP/2."),
                                                   labels: labels),
            http2Streams: registry.makeCounter(descriptor: Self.name("http2_streams", "HTTP/2 streams clients opened (one per request)."),
                                               labels: labels))
    }

    /// The series of one listener.
    struct ListenerSeries {
        let accepted: Counter
        let open: Gauge
        let received: Counter
        let sent: Counter
        let http2Connections: Counter
        let http2Streams: Counter
    }

    /// HTTP/2 connections the proxy closed for a reason of its own: `peer`
    /// is `client` or `endpoint`; `reason` is `idle` (an endpoint
    /// connection unused for pool-idle-timeout), `unresponsive` (a PING
    /// left unanswered) or `protocol-error` (a client's connection error:
    /// floods, rapid resets, flow-control violations).
    func http2Closed(peer: String, reason: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("http2_closed", "HTTP/2 connections the proxy closed, by peer and reason."),
                             labels: [("peer", peer), ("reason", reason)])
    }

    // MARK: Destinations

    /// Sets each destination's gauges from what is in rotation now
    /// (discovery's current answer less accrual's evictions), the requests
    /// in flight the loops last published (once a second), and whether it
    /// is shed; called when `/metrics` is read.
    func refreshDestinations(_ board: HealthBoard, namers: NamerTable, now: UInt64) {
        let loads = board.loadReports
        // Destinations past the label cap are added up under `other`.
        var figures: [String: (endpoints: Int, evicted: Int, pending: Int, shed: Int)] = [:]
        for destination in board.all {
            let current = Rotation.endpoints(of: destination.id, in: namers) ?? []
            let gates = destination.gates
            let pending = loads.values.reduce(0) { sum, report in sum + (report[destination.id]?.values.reduce(0) { $0 + $1.pending } ?? 0) }
            let evicted = current.filter { endpoint in
                if case .evicted(let until)? = gates[endpoint] { return until > now }
                return false
            }.count
            let shed = destination.armGate == 0 ? 0 : 1
            let id = boundedDestination(destination.id.show)
            let sum = figures[id] ?? (0, 0, 0, 0)
            figures[id] = (sum.endpoints + Rotation.inRotation(current, gates: gates).count, sum.evicted + evicted, sum.pending + pending,
                           sum.shed + shed)
        }
        for (id, figure) in figures {
            let gauges = destinationGauges(id)
            gauges.endpoints.set(to: Double(figure.endpoints))
            gauges.evicted.set(to: Double(figure.evicted))
            gauges.pending.set(to: Double(figure.pending))
            gauges.shed.set(to: Double(figure.shed))
        }
    }

    private func destinationGauges(_ id: String) -> (endpoints: Gauge, evicted: Gauge, pending: Gauge, shed: Gauge) {
        destinationGauges.withLockedValue { gauges in
            if let made = gauges[id] { return made }
            let labels = [("dst", id)]
            let made = (registry.makeGauge(descriptor: Self.name("balancer_endpoints", unit: "",
                                                                 "Endpoints in rotation now: discovery's, less those accrual holds out."),
                                           labels: labels),
                        registry.makeGauge(descriptor: Self.name("endpoints_evicted", unit: "",
                                                                 "Endpoints failure accrual holds out now."), labels: labels),
                        registry.makeGauge(descriptor: Self.name("balancer_pending", unit: "",
                                                                 "Requests in flight to the destination's endpoints."), labels: labels),
                        registry.makeGauge(descriptor: Self.name("destination_shed", unit: "",
                                                                 "1 while the destination is shed: its split share goes to the other arms."),
                                           labels: labels))
            gauges[id] = made
            return made
        }
    }

    // MARK: Discovery and configuration

    /// One namer's answer: an update counted, an error counted when it
    /// could not be read, and gauges for staleness and endpoint count.
    func recordNamer(_ name: String, _ report: NamerReport) {
        let labels = [("namer", name)]
        registry.makeCounter(descriptor: Self.name("namer_updates", "Snapshots read from a namer's source."), labels: labels).increment()
        let errors = registry.makeCounter(descriptor: Self.name("namer_errors", "Snapshots with a problem (unreadable source, bad entries)."),
                                          labels: labels)
        if report.state == .failed || report.state == .stale || !report.problems.isEmpty { errors.increment() }
        registry.makeGauge(descriptor: Self.name("namer_stale", unit: "", "1 while a namer serves its last good set because its source cannot be read."),
                           labels: labels).set(to: report.state == .stale ? 1.0 : 0.0)
        registry.makeGauge(descriptor: Self.name("namer_endpoints", unit: "", "Endpoints a namer lists, over all its services."),
                           labels: labels).set(to: Double(report.endpointCount))
    }

    /// `result` is `applied` or `rejected`, the words `/config` uses.
    public func reloads(result: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("reloads", "Configuration reloads, by result."), labels: [("result", result)])
    }

    /// `switchyard_config_info{version, source} 1` for the config in force (the previous one's series is removed).
    func configInForce(version: String, source: String) {
        let gauge = registry.makeGauge(descriptor: Self.name("config_info", unit: "", "The configuration in force (always 1)."),
                                       labels: [("version", version), ("source", source)])
        gauge.set(to: 1)
        let previous = configInfo.withLockedValue { info in
            defer { info = gauge }
            return info
        }
        if let previous, previous !== gauge { registry.unregisterGauge(previous) }
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
    let sheds: Counter
    let armProbes: Counter
    let armRestorations: Counter

    init(_ metrics: ProxyMetrics, destination: String) {
        let destination = metrics.boundedDestination(destination)
        func counter(_ name: String, _ help: String) -> Counter {
            metrics.attemptCounter(name, help: help, destination: destination)
        }
        attempts = counter("attempts", "Attempts sent to endpoints (first tries and retries), by bound destination.")
        retries = counter("retries", "Attempts that were retries, by bound destination.")
        budgetExhausted = counter("retry_budget_exhausted", "Retries refused because the retry budget was spent.")
        evictions = counter("evictions", "Endpoints evicted by failure accrual.")
        probes = counter("probes", "Evicted endpoints probed with one request.")
        restorations = counter("restorations", "Evicted endpoints restored after a successful probe.")
        sheds = counter("destination_sheds", "Times the destination was shed: every endpoint failing, its split share given to other arms.")
        armProbes = counter("destination_probes", "Requests sent to a shed destination to probe it.")
        armRestorations = counter("destination_restorations", "Shed destinations that answered again and took back their share.")
    }
}
