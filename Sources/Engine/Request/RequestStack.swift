// MARK: - RequestStack

/// The order of the request path's layers, outermost first: the one place
/// that states it (ARCHITECTURE.md). A request passes down the stack once
/// per attempt; each layer's state lives where the comment says.
public enum RequestStack {
    public enum Layer: String, CaseIterable, Sendable {
        /// Route: the decision, the deadline and the retries
        /// (`RequestMachine`). It sits above distribution so that a retry
        /// picks a destination and an endpoint again, and so that one
        /// deadline bounds every attempt and backoff.
        case route
        /// Concrete destination: the bound name's endpoints from discovery,
        /// the dtab's traffic share, the retry budget and the balancer
        /// (`Destinations`, `Balancer`). Per bound name, so a split's
        /// branches learn and spend separately; kept per event loop.
        case destination
        /// Endpoint: the failure-accrual gate (proxy-wide
        /// `DestinationHealth`), then the connection pool and the attempt
        /// timeout. Lowest, because they are about one endpoint: an
        /// eviction must not hide a whole destination, and an attempt
        /// timeout must end only that attempt.
        case endpoint
    }

    /// `route -> destination -> endpoint`, for `explain` and `/routes`.
    public static var description: String {
        Layer.allCases.map(\.rawValue).joined(separator: " -> ")
    }
}
