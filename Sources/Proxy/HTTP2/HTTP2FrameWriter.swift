import NIOCore
import NIOHTTP2

// MARK: - HTTP2FrameWriter

/// The write side both HTTP/2 sessions share. Streams queue their frames
/// here; `flush` passes them to NIO's connection handler in order, then
/// flushes. Frames leave only at a flush, so a stream that closes as its
/// last frame goes out hears of it after its writer is done writing, never
/// in the middle of it. One per connection: the arrays keep their memory.
final class HTTP2FrameWriter {
    private var context: ChannelHandlerContext?
    private var outgoing: [HTTP2Frame] = []
    /// The array a stream turns bytes into frame payloads in, lent and given back.
    private var scratch: [HTTP2Frame.FramePayload] = []
    /// Whether frames may go out (a client's connection handler sends its
    /// preface on channelActive, which NIO reports after the connect).
    var active = true

    /// The session's place in the pipeline, right behind the connection handler.
    func attach(_ context: ChannelHandlerContext?) {
        self.context = context
    }

    func enqueue(_ frame: HTTP2Frame) {
        outgoing.append(frame)
    }

    /// Passes on what was queued, and flushes. Frames queued while this
    /// runs (a stream closing as its frames pass) go too.
    func flush() {
        guard let context else {
            outgoing.removeAll(keepingCapacity: true)
            return
        }
        guard active else { return }
        while !outgoing.isEmpty {
            var frames = outgoing
            outgoing = []
            for frame in frames { context.write(NIOAny(frame), promise: nil) }
            frames.removeAll(keepingCapacity: true)
            if outgoing.isEmpty { outgoing = frames }
        }
        context.flush()
    }

    func takeScratch() -> [HTTP2Frame.FramePayload] {
        defer { scratch = [] }
        return scratch
    }

    func returnScratch(_ frames: inout [HTTP2Frame.FramePayload]) {
        frames.removeAll(keepingCapacity: true)
        scratch = frames
    }
}

// MARK: - InboundWindow

/// A flow-control window the proxy receives on, a stream's or its
/// connection's: what the peer may still send, given back up to `target`
/// once half of it is used (as NIO's own window manager does), and only
/// when the owner asks: a paused stream keeps its window shut, which is
/// what holds the peer back.
struct InboundWindow {
    let target: Int
    private(set) var left: Int

    init(target: Int, left: Int) {
        self.target = target
        self.left = left
    }

    mutating func used(_ bytes: Int) {
        left -= bytes
    }

    /// The WINDOW_UPDATE increment due now, counted as given; nil when none is.
    mutating func increment() -> Int? {
        guard left <= target / 2 else { return nil }
        defer { left = target }
        return target - left
    }
}

// MARK: - HeldFrames

/// A stream's frames that arrived while its reader paused, handed over in
/// order when it reads again.
struct HeldFrames {
    private var frames: [HTTP2Frame.FramePayload] = []
    private(set) var paused = false
    /// Set while held frames are handed over (a resume from inside must not start a second pass).
    private var delivering = false

    var isEmpty: Bool { frames.isEmpty }

    /// Keeps `payload` when it must wait (reading is paused, or others wait before it).
    mutating func hold(_ payload: HTTP2Frame.FramePayload) -> Bool {
        guard paused || !frames.isEmpty else { return false }
        frames.append(payload)
        return true
    }

    mutating func pause() {
        paused = true
    }

    /// Reading resumes: true when the caller is to hand over what waits
    /// (`next` until nil, then `delivered`), false when a hand-over is under way.
    mutating func resume() -> Bool {
        paused = false
        guard !delivering else { return false }
        delivering = true
        return true
    }

    mutating func next() -> HTTP2Frame.FramePayload? {
        guard !paused, !frames.isEmpty else { return nil }
        return frames.removeFirst()
    }

    mutating func delivered() {
        delivering = false
    }

    mutating func reset() {
        frames.removeAll()
        paused = false
    }
}

// MARK: - StreamOutput

/// What one stream has written: the HTTP/1.1 bytes that do not make a whole
/// head yet, DATA bytes not yet passed to the socket (past a high-water mark
/// the stream counts as unwritable, which pauses the side feeding it), and
/// whether its END_STREAM was written and has left.
struct StreamOutput {
    /// Bytes kept until a head is whole.
    var pending: ByteBuffer?
    private(set) var buffered = 0
    private(set) var ended = false
    private(set) var endSent = false

    /// `bytes` after what waited, for a conversion to frames.
    mutating func joined(_ bytes: ByteBuffer) -> ByteBuffer {
        guard var earlier = pending else { return bytes }
        pending = nil
        var bytes = bytes
        earlier.writeBuffer(&bytes)
        return earlier
    }

    /// A frame about to be queued.
    mutating func writing(_ payload: HTTP2Frame.FramePayload) {
        switch payload {
        case .data(let data):
            buffered += data.data.readableBytes
            if data.endStream { ended = true }
        case .headers(let headers):
            if headers.endStream { ended = true }
        default:
            break
        }
    }

    /// A frame passed to the socket; true when it ended the stream.
    mutating func sent(_ payload: HTTP2Frame.FramePayload) -> Bool {
        switch payload {
        case .data(let data):
            buffered -= data.data.readableBytes
            if data.endStream { endSent = true }
            return data.endStream
        case .headers(let headers):
            if headers.endStream { endSent = true }
            return headers.endStream
        default:
            return false
        }
    }
}
