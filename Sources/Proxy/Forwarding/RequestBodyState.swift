import NIOCore

// MARK: - RequestBodyState

/// A request body's progress through its framing, and the copy of it kept
/// so that a retry can send it again. It decides which received bytes are
/// body and go to the backend; it does no I/O.
struct RequestBodyState {
    enum Framing {
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        case done
    }

    enum Failure: Error {
        case invalidChunked(HTTP1ParseError)
        case tooLarge(limit: UInt64)
    }

    private(set) var framing: Framing
    /// Wire bytes of the body taken for the backend so far.
    private(set) var sent: UInt64 = 0
    /// Data bytes of a chunked body so far (checked against max-body-size).
    private(set) var dataBytes: UInt64 = 0
    /// Every byte taken so far while the body fits `replayLimit`; nil when
    /// no retry could use it, or once the body grew past the limit.
    private(set) var replay: ByteBuffer?
    let replayLimit: Int

    /// `keepForReplay`: whether a retry may need the body again (the
    /// method is safe to retry); a declared length past the limit is not kept.
    init(_ framing: RequestHead.Framing, keepForReplay: Bool, replayLimit: Int, allocator: ByteBufferAllocator) {
        var keep = keepForReplay && replayLimit > 0
        switch framing {
        case .none, .contentLength(0):
            self.framing = .done
            keep = false
        case .contentLength(let length):
            self.framing = .remaining(length)
            if length > UInt64(replayLimit) { keep = false }
        case .chunked:
            self.framing = .chunked(ChunkedDecoder())
        }
        self.replayLimit = replayLimit
        replay = keep ? allocator.buffer(capacity: min(replayLimit, 4096)) : nil
    }

    /// Frees the copy kept for retries (the request is over).
    mutating func dropReplay() {
        replay = nil
    }

    var isDone: Bool {
        if case .done = framing { return true }
        return false
    }

    /// Whether an attempt can send the body from its start: none of it was
    /// sent yet, or all of it is in the replay copy.
    var replayable: Bool { sent == 0 || (isDone && replay != nil) }

    /// The bytes at the front of `inbound` that are body, taken off it; nil
    /// when none are there yet.
    mutating func take(from inbound: inout ByteBuffer, maxBodySize: UInt64?) throws(Failure) -> ByteBuffer? {
        let slice: ByteBuffer?
        switch framing {
        case .done:
            return nil
        case .remaining(let remaining):
            let count = Int(min(remaining, UInt64(inbound.readableBytes)))
            slice = count > 0 ? inbound.readSlice(length: count) : nil
            framing = remaining == UInt64(count) ? .done : .remaining(remaining - UInt64(count))
        case .chunked(var decoder):
            var data = 0
            let consumed: Int
            do {
                consumed = try inbound.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                    try decoder.decode(raw.bindMemory(to: UInt8.self)) { data += $0.count }
                }
            } catch {
                throw .invalidChunked(error)
            }
            dataBytes += UInt64(data)
            // Past the limit nothing more is taken, the last chunk least of
            // all: the backend never sees the body as complete.
            if let maxBodySize, dataBytes > maxBodySize { throw .tooLarge(limit: maxBodySize) }
            slice = consumed > 0 ? inbound.readSlice(length: consumed) : nil
            framing = decoder.isFinished ? .done : .chunked(decoder)
        }
        guard let slice else { return nil }
        sent += UInt64(slice.readableBytes)
        if replay != nil {
            if replay!.readableBytes + slice.readableBytes > replayLimit {
                replay = nil
            } else {
                replay!.writeImmutableBuffer(slice)
            }
        }
        return slice
    }
}
