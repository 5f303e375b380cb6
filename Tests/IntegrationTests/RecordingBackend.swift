import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

// MARK: - RecordingBackend

/// A backend that records every byte each connection sent it, whether the
/// peer closed it, and how many requests it saw complete (by their framing:
/// Content-Length, or chunked up to the last chunk). It answers each
/// complete request `200 ok`; a request for `/switch` gets `101` instead
/// (switching protocols without being asked), and a WebSocket handshake
/// gets `101` and an echo. Tests assert on what it did and did not receive.
final class RecordingBackend: Sendable {
    struct Connection: Sendable {
        var bytes: [UInt8] = []
        var closed = false
        var completeRequests = 0
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    let channel: Channel
    let log: NIOLockedValueBox<[Connection]>
    var port: Int { channel.localAddress!.port! }

    init(group: EventLoopGroup) async throws {
        let log = NIOLockedValueBox<[Connection]>([])
        self.log = log
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let index = log.withLockedValue { connections in
                        connections.append(Connection())
                        return connections.count - 1
                    }
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(log: log, index: index))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var connections: [Connection] { log.withLockedValue { $0 } }
    var completeRequests: Int { connections.map(\.completeRequests).reduce(0, +) }
    var text: String { connections.map(\.text).joined() }

    func close() async {
        try? await channel.close()
    }
}

final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let log: NIOLockedValueBox<[RecordingBackend.Connection]>
    let index: Int
    /// Bytes of the request being read.
    var pending: [UInt8] = []
    var tunnel = false

    init(log: NIOLockedValueBox<[RecordingBackend.Connection]>, index: Int) {
        self.log = log
        self.index = index
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let bytes = Array(buffer.readableBytesView)
        log.withLockedValue { $0[index].bytes += bytes }
        if tunnel {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            return
        }
        pending += bytes
        while let length = Self.completeLength(pending) {
            let request = String(decoding: pending[0..<length], as: UTF8.self)
            pending.removeFirst(length)
            log.withLockedValue { $0[index].completeRequests += 1 }
            let lower = request.lowercased()
            if lower.contains("upgrade: websocket") {
                tunnel = true
                respond(context, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                return
            }
            if request.hasPrefix("GET /switch ") {
                respond(context, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: surprise\r\nConnection: Upgrade\r\n\r\n")
                return
            }
            respond(context, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        log.withLockedValue { $0[index].closed = true }
    }

    func respond(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }

    /// The length of the first complete request in `bytes`, if there is one.
    static func completeLength(_ bytes: [UInt8]) -> Int? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let head = text[..<headEnd.lowerBound].lowercased()
        let headLength = text.utf8.distance(from: text.startIndex, to: headEnd.upperBound)
        if head.contains("transfer-encoding: chunked") {
            guard let end = text[headEnd.upperBound...].range(of: "0\r\n\r\n") else { return nil }
            return text.utf8.distance(from: text.startIndex, to: end.upperBound)
        }
        if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
            return bytes.count >= headLength + length ? headLength + length : nil
        }
        return headLength
    }
}
