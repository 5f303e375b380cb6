import AsyncHTTPClient

// MARK: - ControlPlaneClient

/// The HTTP client of the control plane's calls (etcd, a proxy's admin
/// API); never the data plane's. Unlike AsyncHTTPClient's default it fails
/// a refused connection at once instead of retrying it until the deadline:
/// the callers retry with their own backoff, and an operator hears
/// "refused" without waiting. Process-wide and never shut down, like
/// `HTTPClient.shared`.
public enum ControlPlaneClient {
    public static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(1)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// An error in the words of `ErrorWords` (`refused`, `timed out`).
    static func describe(_ error: Error) -> String {
        if let client = error as? HTTPClientError {
            if client == .deadlineExceeded || client == .connectTimeout { return "timed out" }
            if client == .remoteConnectionClosed { return "the connection closed" }
        }
        return ErrorWords.describe(error)
    }
}
