// MARK: - EndpointHealth

/// Failure accrual's view of one endpoint (Finagle's FailureAccrualFactory
/// states): alive and counting, evicted until a time, or on probation with
/// one real request admitted to decide whether it comes back.
public enum EndpointHealth: Sendable, Hashable {
    /// `failures` in a row and the recent outcomes (for `success-rate`).
    case alive(failures: Int, recent: SuccessWindow)
    /// Evicted until `until`; `evictions` in a row so far (for the backoff).
    case evicted(until: UInt64, evictions: Int)
    /// The backoff passed and a probe request is in flight.
    case probing(evictions: Int)

    public static let fresh = EndpointHealth.alive(failures: 0, recent: SuccessWindow())
}
