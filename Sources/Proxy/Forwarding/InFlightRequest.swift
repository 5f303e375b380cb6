import Engine
import NIOCore
import Prometheus
import Tracing

// MARK: - InFlightRequest

/// What the glue keeps for the request a client connection is serving:
/// the Engine's `RequestMachine` (which decides), and the NIO things it
/// needs to carry the decisions out (timers, the body, the attempt). A
/// class, so the handler's many small updates never copy it; one instance
/// per connection, reset for each request (`reuse`), not one per request.
final class InFlightRequest {
    var head: RequestHead
    var decision: RoutingDecision
    var machine: RequestMachine
    var body: RequestBodyState
    var started: NIODeadline
    /// Whether the client connection closes after this response.
    var closeClient: Bool
    /// When the request's deadline passes (monotonic nanoseconds), and when
    /// its backoff ends: the connection's timer acts on them.
    var deadlineAt: UInt64?
    var backoffUntil: UInt64?
    /// The attempt under way, if any (none while backing off). An ended
    /// one waits in `spareAttempt` to be reused.
    var attempt: Attempt? {
        didSet { if let ended = oldValue, ended !== attempt { spareAttempt = ended } }
    }
    private var spareAttempt: Attempt?
    /// The status sent to the client once a response head went out.
    var responseStatus: Int?
    /// Why the last attempt failed, as the error said, for `l5d-err`.
    var failureDetail: String?
    /// Whether the retry budget got this request's deposit.
    var deposited = false
    /// The bound id of the latest attempt, for metrics (`none` before one).
    var destination = "none"
    /// The latest attempt's endpoint, for the access log.
    var endpoint: Endpoint?
    /// `l5d-reqid`, the same on every attempt: the request's trace id.
    var requestID = TraceID(high: 0, low: 0)
    /// The server span, when the proxy traces and records this request.
    var span: (any Span)?
    /// For a request the proxy traces but does not record: the propagation
    /// fields to send instead of the caller's (nil: the caller's pass on).
    var traceFields: [(String, String)]?

    init(head: RequestHead, decision: RoutingDecision, machine: RequestMachine, body: RequestBodyState, started: NIODeadline,
         closeClient: Bool) {
        self.head = head
        self.decision = decision
        self.machine = machine
        self.body = body
        self.started = started
        self.closeClient = closeClient
    }

    /// Makes this finished request's instance the connection's next request.
    func reuse(head: RequestHead, decision: RoutingDecision, machine: RequestMachine, body: RequestBodyState, started: NIODeadline,
               closeClient: Bool) {
        park()
        self.head = head
        self.decision = decision
        self.machine = machine
        self.body = body
        self.started = started
        self.closeClient = closeClient
        responseStatus = nil
        failureDetail = nil
        deposited = false
        destination = "none"
        endpoint = nil
        requestID = TraceID(high: 0, low: 0)
    }

    /// Lets go of what a finished request no longer needs (its attempt,
    /// spans, timers, body copy) while the instance waits to be reused.
    func park() {
        deadlineAt = nil
        backoffUntil = nil
        attempt = nil
        spareAttempt?.park()
        span = nil
        traceFields = nil
        body.dropReplay()
    }

    /// A new attempt: the ended one's instance when nothing else holds it.
    func makeAttempt(pick: Destinations.Pick, serial: UInt64, started: NIODeadline) -> Attempt {
        guard isKnownUniquelyReferenced(&spareAttempt), let spare = spareAttempt else {
            return Attempt(pick: pick, serial: serial, started: started)
        }
        spareAttempt = nil
        spare.reuse(pick: pick, serial: serial, started: started)
        return spare
    }

    /// Whether bytes have been written to the client for this response.
    var responseStarted: Bool { responseStatus != nil }
}

// MARK: - Attempt

/// One attempt: the endpoint it went to, its connection, and the response
/// being read from it. Reused by the request for its next attempt.
final class Attempt {
    enum ResponseBody {
        case awaitingHead
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case untilClose
        case done
    }

    private(set) var pick: Destinations.Pick
    /// Tells callbacks of an earlier attempt from this one's.
    private(set) var serial: UInt64
    private(set) var started: NIODeadline
    /// When the head went out on a connection: the balancer's round trip
    /// starts here, so a new connection's handshake does not count as the
    /// endpoint's latency (peak-EWMA would keep that peak for its decay).
    var dispatched: NIODeadline?
    var lease: ConnectionPool.Lease?
    /// When a deadline of this attempt's own (shorter than the request's) passes.
    var deadlineAt: UInt64?
    var responseBody = ResponseBody.awaitingHead
    /// Response bytes received before the head was complete.
    var responseBuffer: ByteBuffer?
    /// When the (final) response head arrived: the balancer's round trip.
    var responseHeadAt: NIODeadline?
    /// The attempt's client span, when the proxy traces; the status it got, or why it failed.
    var span: (any Span)?
    var status: Int?
    var failure: String?
    var backendKeepAlive = false
    /// A gRPC call answered without a status in its head: accrual and
    /// classification wait for the one in its trailers.
    var outcomeInTrailers = false
    /// The `grpc-status` of the answer, from its head or, once the body is
    /// complete, its trailers (nil: none came).
    var grpcStatus: Int?

    init(pick: Destinations.Pick, serial: UInt64, started: NIODeadline) {
        self.pick = pick
        self.serial = serial
        self.started = started
    }

    /// Makes this ended attempt's instance the request's next attempt.
    func reuse(pick: Destinations.Pick, serial: UInt64, started: NIODeadline) {
        park()
        self.pick = pick
        self.serial = serial
        self.started = started
        dispatched = nil
        responseBody = .awaitingHead
        responseHeadAt = nil
        status = nil
        failure = nil
        backendKeepAlive = false
        outcomeInTrailers = false
        grpcStatus = nil
    }

    /// Lets go of the connection, deadline, span and bytes of an ended attempt.
    func park() {
        lease = nil
        deadlineAt = nil
        responseBuffer = nil
        span = nil
    }
}
