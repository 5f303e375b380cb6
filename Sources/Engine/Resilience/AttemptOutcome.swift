import RouteLang

// MARK: - AttemptOutcome

/// How one attempt ended, as classification sees it.
public enum AttemptOutcome: Sendable, Hashable {
    /// A response head with this status arrived.
    case response(status: Int)
    /// The connection could not be established: nothing was sent.
    case connectError
    /// The connection broke after the request was (partly) sent.
    case reset
    /// The attempt's own deadline passed.
    case attemptTimeout
    /// A gRPC status, from headers or trailers (the HTTP/2 work feeds it).
    case grpc(GRPCCode)

    /// Whether `retryClass` names this outcome.
    public func matches(_ retryClass: RetryClass) -> Bool {
        switch (self, retryClass) {
        case (.response(let status), .status(let range)): return range.contains(status)
        case (.connectError, .connectError), (.reset, .reset), (.attemptTimeout, .attemptTimeout): return true
        case (.grpc(let code), .grpc(let wanted)): return code == wanted
        default: return false
        }
    }
}
