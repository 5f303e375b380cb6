import Engine
import NIOCore

// MARK: - Reuse

/// What a connection keeps between requests instead of allocating it per
/// request: the request and attempt instances, the arrays heads are parsed
/// into and the buffer forwarded heads are written into. Each is reused
/// only when nothing else still holds it (otherwise a new one is made), so
/// reuse is never visible. A closed connection leaves them to its loop for
/// the connections (and HTTP/2 streams) that come next.
extension ProxyConnection {
    /// The request instance for a new request: the last finished one, reset.
    func makeRequest(head: RequestHead, decision: RoutingDecision, machine: RequestMachine, body: RequestBodyState,
                     started: NIODeadline) -> InFlightRequest {
        guard isKnownUniquelyReferenced(&spareRequest), let spare = spareRequest else {
            return InFlightRequest(head: head, decision: decision, machine: machine, body: body, started: started,
                                   closeClient: !head.keepAlive)
        }
        spareRequest = nil
        spare.reuse(head: head, decision: decision, machine: machine, body: body, started: started, closeClient: !head.keepAlive)
        return spare
    }

    /// Takes the finished request's head arrays back for the next head,
    /// when nothing else holds that request any more.
    func reclaimHeadStorage() {
        guard isKnownUniquelyReferenced(&spareRequest), let spare = spareRequest, spare.head.bytes.capacity > 0 else { return }
        requestHeadStorage.recycle(bytes: spare.head.bytes, fields: spare.head.fields)
        spare.head.bytes = []
        spare.head.fields = []
    }

    /// A forwarded head written by `write` into the reused head buffer.
    func reusedHeadBuffer(_ write: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var out = headScratch ?? ByteBufferAllocator().buffer(capacity: 1024)
        headScratch = nil
        out.clear()
        write(&out)
        headScratch = out
        return out
    }

    /// Leaves this closed connection's finished request, response-head
    /// arrays and head buffer to the loop, for the connections that come next.
    /// The request goes even when something still holds it: an HTTP/2
    /// stream closes from inside `finish()`, whose own reference ends only
    /// when it returns. `makeRequest` checks again before reusing it.
    func leaveSpares() {
        if let spare = spareRequest, runtime.spareRequests.count < LoopRuntime.spareLimit {
            if spare.head.bytes.capacity == 0 {
                spare.head.bytes = requestHeadStorage.bytes
                spare.head.fields = requestHeadStorage.fields
            }
            runtime.spareRequests.append(spare)
        }
        spareRequest = nil
        requestHeadStorage = HeadStorage()
        runtime.keepSpares(responseHead: responseHeadStorage, headBuffer: headScratch)
        responseHeadStorage = HeadStorage()
        headScratch = nil
    }
}
