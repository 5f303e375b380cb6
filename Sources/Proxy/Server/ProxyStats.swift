import NIOConcurrencyHelpers

// MARK: - ProxyStats

/// Request counters shared by every loop (the admin API and the demo read
/// them). Updated once per request under a short lock; full metrics with
/// swift-metrics come with the telemetry work.
public final class ProxyStats: Sendable {
    public struct Snapshot: Sendable, Hashable {
        /// Responses by status code.
        public var statuses: [Int: Int] = [:]
        /// Requests per bound destination id, with total latency in seconds.
        public var destinations: [String: Destination] = [:]
    }

    public struct Destination: Sendable, Hashable {
        public var requests = 0
        public var failures = 0
        public var latencySeconds = 0.0
    }

    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    func record(status: Int, destination: String?, seconds: Double) {
        state.withLockedValue { value in
            value.statuses[status, default: 0] += 1
            if let destination {
                value.destinations[destination, default: Destination()].requests += 1
                value.destinations[destination, default: Destination()].latencySeconds += seconds
                if status >= 500 { value.destinations[destination, default: Destination()].failures += 1 }
            }
        }
    }
}
