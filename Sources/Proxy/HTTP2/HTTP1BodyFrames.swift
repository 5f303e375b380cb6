import NIOCore
import NIOHTTP2

// MARK: - HTTP1BodyFrames

/// The HTTP/1.1 side of a message body crossing to HTTP/2 and back, shared
/// by both bridges. `convert` turns body bytes into DATA frames (a chunked
/// body's trailers into a final HEADERS frame); `body` turns DATA back into
/// HTTP/1.1 body bytes.
struct HTTP1BodyFrames {
    enum Framing {
        case remaining(UInt64)
        case chunked(ChunkedDecoder)
        /// Ends when the connection closes (responses only).
        case untilClose
        case done
    }

    var framing: Framing

    var isDone: Bool {
        if case .done = framing { return true }
        return false
    }

    /// Frames for what `bytes` holds of the body; what follows a complete body is dropped.
    mutating func convert(_ bytes: inout ByteBuffer, into frames: inout [HTTP2Frame.FramePayload]) throws(HTTP1ParseError) {
        switch framing {
        case .remaining(let remaining):
            let take = Int(min(remaining, UInt64(bytes.readableBytes)))
            guard take > 0, let slice = bytes.readSlice(length: take) else { return }
            let left = remaining - UInt64(take)
            frames.append(.data(.init(data: .byteBuffer(slice), endStream: left == 0)))
            framing = left == 0 ? .done : .remaining(left)
        case .chunked(var decoder):
            var ranges: [Range<Int>] = []
            let consumed = try bytes.withUnsafeReadableBytes { raw throws(HTTP1ParseError) in
                try decoder.decode(raw.bindMemory(to: UInt8.self)) { ranges.append($0) }
            }
            let base = bytes.readerIndex
            for range in ranges {
                if let slice = bytes.getSlice(at: base + range.lowerBound, length: range.count) {
                    frames.append(.data(.init(data: .byteBuffer(slice))))
                }
            }
            bytes.moveReaderIndex(forwardBy: consumed)
            guard decoder.isFinished else {
                framing = .chunked(decoder)
                return
            }
            framing = .done
            let trailers = HTTP2Translation.trailerFields(decoder.trailers)
            frames.append(trailers.isEmpty ? Self.endOfStream : .headers(.init(headers: trailers, endStream: true)))
        case .untilClose:
            if bytes.readableBytes > 0, let slice = bytes.readSlice(length: bytes.readableBytes) {
                frames.append(.data(.init(data: .byteBuffer(slice))))
            }
        case .done:
            bytes.moveReaderIndex(to: bytes.writerIndex)
        }
    }

    /// An empty DATA frame that ends the stream.
    static let endOfStream = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))

    /// A DATA frame's bytes as HTTP/1.1 body bytes: as they are for a body
    /// with a length, as a chunk (and the last chunk when the frame ends the
    /// stream) for a chunked one; nil when there is nothing to pass.
    static func body(_ bytes: ByteBuffer, chunked: Bool, last: Bool, allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard chunked else { return bytes.readableBytes > 0 ? bytes : nil }
        return chunk(bytes, last: last, allocator: allocator)
    }

    private static func chunk(_ bytes: ByteBuffer, last: Bool, allocator: ByteBufferAllocator) -> ByteBuffer? {
        var out = allocator.buffer(capacity: bytes.readableBytes + 32)
        if bytes.readableBytes > 0 {
            out.writeString(String(bytes.readableBytes, radix: 16) + "\r\n")
            out.writeImmutableBuffer(bytes)
            out.writeString("\r\n")
        }
        if last { out.writeString("0\r\n\r\n") }
        return out.readableBytes > 0 ? out : nil
    }

    /// A trailing header block as the end of a chunked body.
    static func lastChunk(trailers: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(bytes: Array("0\r\n".utf8) + trailers + Array("\r\n".utf8))
    }
}
