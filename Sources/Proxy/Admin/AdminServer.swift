import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - AdminServer

/// Serves `AdminAPI` over HTTP/1.1 (NIOHTTP1: its cost does not matter here).
public final class AdminServer: Sendable {
    let channel: Channel

    public var localAddress: SocketAddress? { channel.localAddress }

    public static func start(api: AdminAPI, host: String, port: Int, group: EventLoopGroup) async throws -> AdminServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(AdminHandler(api: api))
                }
            }
        do {
            return AdminServer(channel: try await bootstrap.bind(host: host, port: port).get())
        } catch {
            throw BindError(what: "admin", host: host, port: port, error: error)
        }
    }

    init(channel: Channel) {
        self.channel = channel
    }

    public func close() async {
        try? await channel.close()
    }
}

// MARK: - AdminHandler

final class AdminHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let api: AdminAPI

    init(api: AdminAPI) {
        self.api = api
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let response = api.handle(method: head.method.rawValue, target: head.uri)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.utf8.count))
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
