import Engine
import NIOConcurrencyHelpers
import Prometheus

// MARK: - EndpointSeries

/// One endpoint's own series, when `limits { endpoint-metrics N }` asks
/// for them (off by default: every endpoint is a label value, and fleets
/// churn): attempts by result, and the time to the response head.
struct EndpointSeries {
    let succeeded: Counter
    let failed: Counter
    let roundTrip: DurationHistogram

    func record(success: Bool, rtt: Duration?) {
        (success ? succeeded : failed).increment()
        if let rtt { roundTrip.record(rtt) }
    }
}

extension ProxyMetrics {
    /// The series of `endpoint` of `destination`; past `limit` endpoints
    /// the rest share `endpoint="other"`.
    func endpointSeries(destination: String, endpoint: Endpoint, limit: Int) -> EndpointSeries {
        let name = endpointLabels.withLockedValue { admitted in
            let value = "\(destination) \(endpoint)"
            if admitted.contains(value) { return endpoint.description }
            guard admitted.count < limit else { return "other" }
            admitted.insert(value)
            return endpoint.description
        }
        let labels = [("dst", boundedDestination(destination)), ("endpoint", name)]
        let attempts = Self.name("endpoint_attempts", "Attempts per endpoint by result (limits { endpoint-metrics N }).")
        return EndpointSeries(
            succeeded: registry.makeCounter(descriptor: attempts, labels: labels + [("result", "success")]),
            failed: registry.makeCounter(descriptor: attempts, labels: labels + [("result", "failure")]),
            roundTrip: registry.makeDurationHistogram(
                descriptor: Self.name("endpoint_rtt", unit: "seconds", "Time from request head sent to response head, per endpoint."),
                labels: labels, buckets: Self.latencyBuckets))
    }
}
