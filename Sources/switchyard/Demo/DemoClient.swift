import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - DemoClient

/// Sends one request through the proxy on a new connection and reports
/// the status and which demo backend answered.
enum DemoClient {
    struct Reply: Sendable {
        var status: Int
        var backend: String?
        var error: String?
    }

    static func send(port: Int, host: String, path: String, headers: [(String, String)], group: EventLoopGroup) async -> Reply {
        let promise = group.next().makePromise(of: Reply.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMap {
                    channel.pipeline.addHandler(ReplyCollector(promise: promise))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "host", value: host)
            head.headers.add(name: "connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
            let reply = try await promise.futureResult.get()
            try? await channel.close()
            return reply
        } catch {
            promise.fail(error)
            return Reply(status: 0, backend: nil, error: "\(error)")
        }
    }
}

// MARK: - ReplyCollector

final class ReplyCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<DemoClient.Reply>

    init(promise: EventLoopPromise<DemoClient.Reply>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            promise.succeed(DemoClient.Reply(status: Int(head.status.code), backend: head.headers.first(name: "x-backend"),
                                             error: head.headers.first(name: "l5d-err")))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
