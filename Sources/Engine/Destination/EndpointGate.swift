// MARK: - EndpointGate

/// Why failure accrual keeps an endpoint out of rotation: what a picker
/// reads (lock-free, from a published copy) before balancing.
public enum EndpointGate: Sendable, Hashable {
    /// Evicted until this time; then one request may probe it.
    case evicted(until: UInt64)
    /// A probe request is in flight; nothing else goes there.
    case probing
}
