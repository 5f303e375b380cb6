import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - ChaosBackend

/// A backend whose behaviour a test changes while load runs: healthy,
/// answering 500 to everything, slow, or killed (listener and every open
/// connection closed at once). It counts the requests it receives by
/// method (the attempts the proxy made) and answers with the body length
/// it received in `x-body-bytes`.
final class ChaosBackend: Sendable {
    enum Mode: Sendable {
        case healthy
        case failing
        case slow(milliseconds: Int64)
    }

    let name: String
    let port: Int
    private let server: Channel
    private let mode: NIOLockedValueBox<Mode>
    private let counts = NIOLockedValueBox<[String: Int]>([:])
    private let children = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    init(name: String, group: EventLoopGroup, mode: Mode = .healthy) async throws {
        self.name = name
        let modeBox = NIOLockedValueBox(mode)
        let counts = self.counts
        let children = self.children
        self.mode = modeBox
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                children.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in _ = children.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(ChaosResponder(name: name, mode: modeBox, counts: counts))
                }
            }
        server = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = server.localAddress!.port!
    }

    func set(_ mode: Mode) {
        self.mode.withLockedValue { $0 = mode }
    }

    /// Requests received, of one method or of all.
    func requests(_ method: String? = nil) -> Int {
        counts.withLockedValue { counts in method.map { counts[$0] ?? 0 } ?? counts.values.reduce(0, +) }
    }

    /// Closes the listener and every connection: the process died.
    func kill() async {
        try? await server.close()
        for channel in children.withLockedValue({ Array($0.values) }) { try? await channel.close() }
    }
}

// MARK: - ChaosResponder

final class ChaosResponder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String
    let mode: NIOLockedValueBox<ChaosBackend.Mode>
    let counts: NIOLockedValueBox<[String: Int]>
    var head: HTTPRequestHead?
    var bodyBytes = 0

    init(name: String, mode: NIOLockedValueBox<ChaosBackend.Mode>, counts: NIOLockedValueBox<[String: Int]>) {
        self.name = name
        self.mode = mode
        self.counts = counts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
        case .end:
            guard let head else { return }
            counts.withLockedValue { $0[head.method.rawValue, default: 0] += 1 }
            switch mode.withLockedValue({ $0 }) {
            case .healthy:
                respond(context: context, head: head, status: .ok)
            case .failing:
                respond(context: context, head: head, status: .internalServerError)
            case .slow(let milliseconds):
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(milliseconds)) {
                    guard context.channel.isActive else { return }
                    self.respond(context: context, head: head, status: .ok)
                }
            }
        }
    }

    func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus) {
        let body = ByteBuffer(string: "\(name) \(status.code)\n")
        var headers = HTTPHeaders()
        headers.add(name: "x-backend", value: name)
        headers.add(name: "x-body-bytes", value: "\(bodyBytes)")
        headers.add(name: "content-length", value: "\(body.readableBytes)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
