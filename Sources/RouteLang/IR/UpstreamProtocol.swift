// MARK: - UpstreamProtocol

/// What the proxy speaks to endpoints (`protocol …`). HTTP/1.1 by default,
/// which every HTTP server speaks; `h2` for endpoints that speak HTTP/2 in
/// clear text with prior knowledge (gRPC servers do); `auto` speaks to
/// them what the client spoke to the proxy.
public enum UpstreamProtocol: String, Sendable, Hashable, CaseIterable {
    case http1
    case h2
    case auto

    public static let names = allCases.map(\.rawValue)

    /// Whether an attempt goes over HTTP/2, for a client that spoke `clientHTTP2`.
    public func usesHTTP2(clientHTTP2: Bool) -> Bool {
        switch self {
        case .http1: return false
        case .h2: return true
        case .auto: return clientHTTP2
        }
    }
}
