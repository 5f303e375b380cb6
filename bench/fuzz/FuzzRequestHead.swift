// MARK: - libFuzzer entry point: the request-head parser

/// Compiled with the HTTP/1 sources (Sources/Proxy/HTTP1) by `bench/fuzz/run.sh`.
///
/// Properties checked on every input:
/// - the parser never crashes or hangs, and an accepted head lies within the input;
/// - fed in two pieces, the input gives the same outcome (no state leaks across reads);
/// - parsed into reused arrays (`HeadStorage`, as a keep-alive connection does),
///   it gives the same head as parsed into fresh ones;
/// - the head the proxy forwards parses again to the same method, origin-form
///   target, authority and body framing, so the backend reads the request the
///   proxy read.
/// The arrays the previous input's head was parsed into, as a keep-alive
/// connection keeps them (libFuzzer runs inputs one at a time).
nonisolated(unsafe) var reusedStorage = HeadStorage()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = HTTP1Limits(maxHeadBytes: 4096, maxRequestLineBytes: 1024, maxHeaderCount: 64)
    let outcome = RequestHeadParser(limits: limits).parse(bytes)

    // A split input: the first piece alone may be incomplete; with the rest
    // it must give the same answer as the whole.
    let split = size / 2
    if case .complete(let early) = RequestHeadParser(limits: limits).parse(Array(bytes[0..<split])),
       case .complete(let whole) = outcome {
        precondition(early.consumed == whole.consumed && early.target == whole.target, "split input changed the head")
    }

    // Parsed into arrays a connection reuses (holding the previous input's
    // head), the input gives the same head as parsed into fresh ones.
    let reused = bytes.withUnsafeBufferPointer { RequestHeadParser(limits: limits).parse($0, storage: &reusedStorage) }
    switch (outcome, reused) {
    case (.complete(let fresh), .complete(let again)):
        precondition(fresh.bytes == again.bytes && fresh.fields == again.fields && fresh.framing == again.framing,
                     "reused arrays changed the head")
        reusedStorage.recycle(bytes: again.bytes, fields: again.fields)
    case (.incomplete, .incomplete), (.failure, .failure):
        break
    default:
        preconditionFailure("reused arrays changed the outcome")
    }

    guard case .complete(let head) = outcome else { return 0 }
    precondition(head.consumed <= bytes.count)
    for field in head.fields {
        precondition(field.line.upperBound <= head.bytes.count && field.name.upperBound <= field.value.upperBound || field.value.isEmpty)
    }
    let context = HeadRewriter.RequestContext(clientAddress: "127.0.0.1", logicalName: "/svc/fuzz", boundName: "/#/disco/fuzz",
                                              forwardDtab: false, endpoint: "127.0.0.1:9101")
    let forwarded = Array(HeadRewriter.request(head, context: context).readableBytesView)
    let relaxed = HTTP1Limits(maxHeadBytes: 1 << 20, maxRequestLineBytes: 1 << 20, maxHeaderCount: 1 << 10)
    guard case .complete(let again) = RequestHeadParser(limits: relaxed).parse(forwarded) else {
        fatalError("forwarded head does not parse:\n\(String(decoding: forwarded, as: UTF8.self))")
    }
    precondition(again.method == head.method, "method changed")
    precondition(again.target == HeadRewriter.originForm(head.target), "target changed")
    precondition(again.framing == head.framing, "framing changed: \(head.framing) -> \(again.framing)")
    precondition(again.authority == (head.authority ?? "127.0.0.1:9101"), "authority changed")
    return 0
}
