// MARK: - libFuzzer entry point: the chunked decoder

/// Compiled with the HTTP/1 sources by `bench/fuzz/run.sh`.
///
/// Properties checked on every input: the decoder never crashes or hangs;
/// decoding the input at once and decoding it one byte at a time agree on
/// the verdict, the bytes consumed and the body data; consumed bytes never
/// exceed the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunked(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let limits = HTTP1Limits(maxHeadBytes: 1024, maxChunkLineBytes: 256)

    func decode(pieceSize: Int) -> (consumed: Int, body: [UInt8], finished: Bool, failed: Bool) {
        var decoder = ChunkedDecoder(limits: limits)
        var body: [UInt8] = []
        var offset = 0
        while offset < size, !decoder.isFinished {
            let piece = UnsafeBufferPointer(rebasing: input[offset..<min(size, offset + pieceSize)])
            do {
                let consumed = try decoder.decode(piece) { range in body += piece[range] }
                precondition(consumed <= piece.count)
                offset += consumed
                if consumed < piece.count { break }
            } catch {
                return (offset, body, false, true)
            }
        }
        return (offset, body, decoder.isFinished, false)
    }

    let whole = decode(pieceSize: max(size, 1))
    let bytewise = decode(pieceSize: 1)
    precondition(whole.failed == bytewise.failed, "verdict depends on how bytes arrive")
    if !whole.failed {
        precondition(whole.finished == bytewise.finished && whole.body == bytewise.body, "body depends on how bytes arrive")
        if whole.finished { precondition(whole.consumed == bytewise.consumed, "end of body depends on how bytes arrive") }
    }
    return 0
}
