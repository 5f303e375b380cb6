// MARK: - RetryClass

/// An outcome class that `retry on` and `classify` name.
public enum RetryClass: Sendable, Hashable, CustomStringConvertible {
    /// A status range: `5xx` is 500...599, `502-504`, `503`.
    case status(ClosedRange<Int>)
    /// The connection could not be established (nothing was sent).
    case connectError
    /// The connection was reset after the request was sent.
    case reset
    case attemptTimeout
    /// A gRPC status code by name.
    case grpc(GRPCCode)

    public var description: String {
        switch self {
        case .status(let range):
            if range.lowerBound == range.upperBound { return String(range.lowerBound) }
            if range.lowerBound % 100 == 0, range.upperBound == range.lowerBound + 99 { return "\(range.lowerBound / 100)xx" }
            return "\(range.lowerBound)-\(range.upperBound)"
        case .connectError: return "connect-error"
        case .reset: return "reset"
        case .attemptTimeout: return "attempt-timeout"
        case .grpc(let code): return code.rawValue
        }
    }

    public static let keywords = ["connect-error", "reset", "attempt-timeout"] + GRPCCode.allCases.map(\.rawValue)
}

// MARK: - GRPCCode

/// gRPC status codes (grpc/doc/statuscodes.md), spelt in kebab case.
public enum GRPCCode: String, Sendable, Hashable, CaseIterable {
    case cancelled, unknown, `internal`, unavailable, aborted, unauthenticated, unimplemented
    case invalidArgument = "invalid-argument"
    case deadlineExceeded = "deadline-exceeded"
    case notFound = "not-found"
    case alreadyExists = "already-exists"
    case permissionDenied = "permission-denied"
    case resourceExhausted = "resource-exhausted"
    case failedPrecondition = "failed-precondition"
    case outOfRange = "out-of-range"
    case dataLoss = "data-loss"
}

extension GRPCCode {
    /// The code a `grpc-status` value carries; nil for 0 (OK) and unknown numbers.
    public init?(number: Int) {
        let byNumber: [GRPCCode] = [.cancelled, .unknown, .invalidArgument, .deadlineExceeded, .notFound, .alreadyExists,
                                    .permissionDenied, .resourceExhausted, .failedPrecondition, .aborted, .outOfRange,
                                    .unimplemented, .internal, .unavailable, .dataLoss, .unauthenticated]
        guard (1...byNumber.count).contains(number) else { return nil }
        self = byNumber[number - 1]
    }
}
