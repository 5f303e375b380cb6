import Engine
import NIOCore

// MARK: - Exchange

/// One request and its response in flight on a client connection.
final class Exchange {
    enum RequestBody {
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case done
    }

    enum ResponseBody {
        case awaitingHead
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case untilClose
        case done
    }

    let request: RequestHead
    let decision: RoutingDecision
    let leaf: RoutingDecision.Leaf
    let endpoint: Endpoint
    let started: NIODeadline
    var backend: ConnectionPool.Lease?
    var requestBody: RequestBody
    var responseBody = ResponseBody.awaitingHead
    /// Response bytes received before the head was complete.
    var responseBuffer: ByteBuffer?
    var responseStatus: Int?
    var backendKeepAlive = false
    /// Whether the client connection closes after this response.
    var closeClient: Bool
    var deadline: Scheduled<Void>?
    /// Body bytes received so far (chunked bodies are checked against the limit).
    var requestBodyBytes: UInt64 = 0
    /// When the (final) response head arrived: the balancer's round trip.
    var responseHeadAt: NIODeadline?
    /// Whether the balancer was told this attempt ended (exactly once).
    var loadReleased = false

    init(request: RequestHead, decision: RoutingDecision, leaf: RoutingDecision.Leaf, endpoint: Endpoint, started: NIODeadline) {
        self.request = request
        self.decision = decision
        self.leaf = leaf
        self.endpoint = endpoint
        self.started = started
        switch request.framing {
        case .none: requestBody = .done
        case .contentLength(let length): requestBody = .remaining(length)
        case .chunked: requestBody = .chunked(ChunkedDecoder())
        }
        closeClient = !request.keepAlive
    }

    var requestBodyDone: Bool {
        if case .done = requestBody { return true }
        return false
    }

    /// Whether bytes have been written to the client for this response.
    var responseStarted: Bool { responseStatus != nil }
}
