import Engine
import Prometheus
import RouteLang

// MARK: - LoopMetrics

/// One event loop's cache of metric objects by label values, so counting a
/// request is a dictionary hit (usually a pointer compare with the last
/// one) and atomic increments. What changes on every read and write (bytes,
/// requests in flight) is tallied in plain numbers here and added to the
/// shared series every 100 ms (`flush`), so loops never contend for them.
final class LoopMetrics {
    let metrics: ProxyMetrics
    /// Shortcuts by the labels as requests carry them; label values come
    /// from requests, so this map is bounded and forgets gradually.
    private var series = BoundedCache<ProxyMetrics.RequestLabels, RequestSeries>(capacity: LoopMetrics.shortcutLimit)
    /// The series by capped labels (`ProxyMetrics.bounded`): a request
    /// whose shortcut was forgotten, or whose name counts as `other`, finds
    /// its series here without asking the shared registry.
    private var seriesByBoundedLabels: [ProxyMetrics.RequestLabels: RequestSeries] = [:]
    private var last: (labels: ProxyMetrics.RequestLabels, series: RequestSeries)?
    private var attemptCounters = BoundedCache<String, AttemptCounters>(capacity: LoopMetrics.shortcutLimit)
    private var attemptCountersByBoundedDestination: [String: AttemptCounters] = [:]
    private var lastAttempts: (destination: String, counters: AttemptCounters)?
    private var listeners: [String: ListenerTally] = [:]
    /// Per-endpoint series when they are on, by destination and endpoint.
    private var endpoints: [EndpointKey: EndpointSeries] = [:]
    struct EndpointKey: Hashable {
        var destination: String
        var endpoint: Endpoint
    }
    static let shortcutLimit = 4096
    /// Requests in flight on this loop, and how many of them the shared gauge holds.
    var inFlight = 0
    private var inFlightPublished = 0

    init(_ metrics: ProxyMetrics) {
        self.metrics = metrics
    }

    /// Adds what this loop tallied since the last flush to the shared series.
    func flush() {
        if inFlight != inFlightPublished {
            metrics.inFlight.increment(by: Double(inFlight - inFlightPublished))
            inFlightPublished = inFlight
        }
        for tally in listeners.values { tally.flush() }
    }

    /// An endpoint's own series (`limits { endpoint-metrics N }`).
    func endpoint(_ destination: String, _ endpoint: Endpoint, limit: Int) -> EndpointSeries {
        let key = EndpointKey(destination: destination, endpoint: endpoint)
        if let series = endpoints[key] { return series }
        let made = metrics.endpointSeries(destination: destination, endpoint: endpoint, limit: limit)
        endpoints[key] = made
        return made
    }

    /// The attempt-loop counters of a destination (bound id). The last one
    /// asked for is kept aside: consecutive requests mostly share a
    /// destination, and comparing the same string is a pointer check.
    func attempts(_ destination: String) -> AttemptCounters {
        if let last = lastAttempts, last.destination == destination { return last.counters }
        let counters = attemptCounters.value(for: destination) ?? {
            let bounded = metrics.boundedDestination(destination)
            let made = attemptCountersByBoundedDestination[bounded] ?? AttemptCounters(metrics, destination: bounded)
            attemptCountersByBoundedDestination[bounded] = made
            attemptCounters.insert(made, for: destination)
            return made
        }()
        lastAttempts = (destination, counters)
        return counters
    }

    /// Counts one answered request.
    func record(_ labels: ProxyMetrics.RequestLabels, status: Int, classification: ResponseClass?, attempts: Int, nanoseconds: Int64?) {
        let series: RequestSeries
        if let last, last.labels == labels {
            series = last.series
        } else {
            series = self.series.value(for: labels) ?? {
                let bounded = metrics.bounded(labels)
                let made = seriesByBoundedLabels[bounded] ?? RequestSeries(metrics, bounded)
                seriesByBoundedLabels[bounded] = made
                self.series.insert(made, for: labels)
                return made
            }()
            last = (labels, series)
        }
        let failed = classification.map { $0 != .success } ?? (status >= 500)
        series.counter(statusClass: status / 100, failed: failed).increment()
        if attempts > 0 { series.attempts.record(Double(attempts)) }
        if let nanoseconds { series.latency.recordNanoseconds(nanoseconds) }
    }

    func listener(_ address: String) -> ListenerTally {
        if let made = listeners[address] { return made }
        let made = ListenerTally(metrics.connections(listener: address))
        listeners[address] = made
        return made
    }
}

// MARK: - RequestSeries

/// The series of one (route, name, destination).
final class RequestSeries {
    let metrics: ProxyMetrics
    let labels: ProxyMetrics.RequestLabels
    let latency: DurationHistogram
    let attempts: ValueHistogram
    /// By status class (1–5) x failed.
    private var counters: [Counter?] = Array(repeating: nil, count: 12)

    init(_ metrics: ProxyMetrics, _ labels: ProxyMetrics.RequestLabels) {
        self.metrics = metrics
        self.labels = labels
        latency = metrics.latency(labels)
        attempts = metrics.attemptsPerRequest(labels)
        // The usual outcomes exist at zero from the first request on.
        _ = counter(statusClass: 2, failed: false)
        _ = counter(statusClass: 5, failed: true)
    }

    func counter(statusClass: Int, failed: Bool) -> Counter {
        let index = min(max(statusClass, 0), 5) * 2 + (failed ? 1 : 0)
        if let made = counters[index] { return made }
        let made = metrics.requests(labels, statusClass: "\(min(max(statusClass, 1), 5))xx", classification: failed ? "failure" : "success")
        counters[index] = made
        return made
    }
}

// MARK: - ListenerTally

/// One listener's connection and byte counts on one loop, added to the
/// shared series by `flush`.
final class ListenerTally {
    var accepted = 0
    var open = 0
    var received = 0
    var sent = 0
    var http2Connections = 0
    var http2Streams = 0
    private var openPublished = 0
    private let series: ProxyMetrics.ListenerSeries

    init(_ series: ProxyMetrics.ListenerSeries) {
        self.series = series
    }

    func flush() {
        if accepted > 0 { series.accepted.increment(by: Int64(accepted)) }
        if received > 0 { series.received.increment(by: Int64(received)) }
        if sent > 0 { series.sent.increment(by: Int64(sent)) }
        if open != openPublished { series.open.increment(by: Double(open - openPublished)) }
        if http2Connections > 0 { series.http2Connections.increment(by: Int64(http2Connections)) }
        if http2Streams > 0 { series.http2Streams.increment(by: Int64(http2Streams)) }
        accepted = 0
        received = 0
        sent = 0
        http2Connections = 0
        http2Streams = 0
        openPublished = open
    }
}
