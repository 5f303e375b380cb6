import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

// MARK: - DemoBackend

/// An in-process backend for the demo: answers every request after a
/// latency drawn around `latency`, failing a `failureRate` share with 500.
final class DemoBackend: Sendable {
    struct Behavior: Sendable {
        var latency: Duration
        var failureRate: Double
    }

    let name: String
    let channel: Channel
    let counts: NIOLockedValueBox<(requests: Int, failures: Int)>

    init(name: String, port: Int, behavior: Behavior, group: EventLoopGroup) async throws {
        self.name = name
        let counts = NIOLockedValueBox((requests: 0, failures: 0))
        self.counts = counts
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(DemoResponder(name: name, behavior: behavior, counts: counts))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
    }

    /// The port it listens on.
    var port: Int { channel.localAddress?.port ?? 0 }

    func close() async {
        try? await channel.close()
    }
}

// MARK: - DemoResponder

final class DemoResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String
    let behavior: DemoBackend.Behavior
    let counts: NIOLockedValueBox<(requests: Int, failures: Int)>

    init(name: String, behavior: DemoBackend.Behavior, counts: NIOLockedValueBox<(requests: Int, failures: Int)>) {
        self.name = name
        self.behavior = behavior
        self.counts = counts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let fail = Double.random(in: 0..<1) < behavior.failureRate
        counts.withLockedValue { counts in
            counts.requests += 1
            if fail { counts.failures += 1 }
        }
        let base = Double(behavior.latency.components.attoseconds) / 1e15 + Double(behavior.latency.components.seconds) * 1000
        let delay = Int64(max(0, base * Double.random(in: 0.7...1.4)) * 1000)
        let name = self.name
        context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(delay)) {
            guard context.channel.isActive else { return }
            let body = ByteBuffer(string: fail ? "\(name) failed\n" : "hello from \(name)\n")
            var headers = HTTPHeaders()
            headers.add(name: "x-backend", value: name)
            headers.add(name: "content-length", value: String(body.readableBytes))
            let head = HTTPResponseHead(version: .http1_1, status: fail ? .internalServerError : .ok, headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
        }
    }
}
