import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

// MARK: - TestBackend

/// A real HTTP/1.1 backend on 127.0.0.1 for integration tests (NIOHTTP1 is
/// fine here: its cost does not matter). Paths:
/// - `/echo`: answers the request body, with the request's headers as
///   `x-echo-<name>` response headers;
/// - `/slow?ms=N`: answers after N ms;
/// - `/big?bytes=N`: a body of N bytes (`x`), chunked when `chunked=1`;
/// - `/stream?bytes=N`: N bytes written as the connection drains (bounded memory);
/// - `/sink`: counts the request body without keeping it, answers the count;
/// - `/trailers`: a chunked body followed by `grpc-status: 0` and
///   `x-trailer: done` trailer fields;
/// - `/grpc` (and `/grpc.SERVICE/METHOD`): a gRPC-style answer: `grpc-status: 14` (UNAVAILABLE) in the
///   head and no body from a backend named `unavailable`, else a body and
///   `grpc-status: 0` in trailers;
/// - anything else: `hello from NAME`, after `delay` ms when one is set
///   (an endpoint that has turned slow).
final class TestBackend: Sendable {
    let name: String
    let channel: Channel
    /// Connections accepted and requests served, to check pooling and refusals.
    let counters: NIOLockedValueBox<(connections: Int, requests: Int)>

    var port: Int { channel.localAddress!.port! }

    /// - Parameters:
    ///   - http2: speak HTTP/2 with prior knowledge only (each stream
    ///     through NIO's HTTP/2-to-HTTP/1 codec to the same responder);
    ///   - port: a port to take (an endpoint that comes back), else any.
    init(name: String, group: EventLoopGroup, delay: Int64 = 0, http2: Bool = false, port: Int = 0) async throws {
        self.name = name
        let counters = NIOLockedValueBox((connections: 0, requests: 0))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counters.withLockedValue { $0.connections += 1 }
                guard http2 else {
                    return channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(BackendResponder(name: name, counters: counters, delay: delay))
                    }
                }
                return channel.configureHTTP2Pipeline(mode: .server) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                        try stream.pipeline.syncOperations.addHandler(BackendResponder(name: name, counters: counters, delay: delay))
                    }
                }.map { _ in }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        self.counters = counters
    }

    var connections: Int { counters.withLockedValue { $0.connections } }
    var requests: Int { counters.withLockedValue { $0.requests } }

    func close() async {
        try? await channel.close()
    }
}

// MARK: - BackendResponder

final class BackendResponder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String
    let counters: NIOLockedValueBox<(connections: Int, requests: Int)>
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var sunk = 0
    var streamRemaining = 0
    let delay: Int64

    init(name: String, counters: NIOLockedValueBox<(connections: Int, requests: Int)>, delay: Int64 = 0) {
        self.name = name
        self.counters = counters
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            sunk = 0
        case .body(var chunk):
            if head?.uri == "/sink" {
                sunk += chunk.readableBytes
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            counters.withLockedValue { $0.requests += 1 }
            respond(context: context, head: head)
        }
    }

    func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let components = URLComponents(string: head.uri)
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var headers = HTTPHeaders()
        headers.add(name: "x-backend", value: name)
        var payload = ByteBuffer(string: "hello from \(name)\n")
        var chunked = false
        switch components?.path ?? "/" {
        case "/echo":
            for (headerName, value) in head.headers { headers.add(name: "x-echo-\(headerName.lowercased())", value: value) }
            payload = body
        case "/slow":
            let delay = Int64(query["ms"] ?? "0") ?? 0
            let fixedHeaders = headers
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) {
                guard context.channel.isActive else { return }
                self.write(context: context, head: head, headers: fixedHeaders, payload: ByteBuffer(string: "slow\n"), chunked: false)
            }
            return
        case "/sink":
            payload = ByteBuffer(string: "\(sunk)")
        case let path where path == "/grpc" || path.hasPrefix("/grpc."):
            headers.add(name: "content-type", value: "application/grpc")
            if name == "unavailable" {
                headers.add(name: "grpc-status", value: "14")
                headers.add(name: "grpc-message", value: "going away")
                headers.add(name: "content-length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            headers.add(name: "transfer-encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "message")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(HTTPHeaders([("grpc-status", "0")]))), promise: nil)
            return
        case "/trailers":
            headers.add(name: "transfer-encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "with trailers")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(HTTPHeaders([("grpc-status", "0"), ("x-trailer", "done")]))), promise: nil)
            return
        case "/stream":
            streamRemaining = Int(query["bytes"] ?? "0") ?? 0
            headers.add(name: "content-length", value: "\(streamRemaining)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
            pump(context: context)
            return
        case "/big":
            let count = Int(query["bytes"] ?? "0") ?? 0
            payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: count)
            chunked = query["chunked"] == "1"
        default:
            if delay > 0 {
                let (fixedHeaders, fixedPayload) = (headers, payload)
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) {
                    guard context.channel.isActive else { return }
                    self.write(context: context, head: head, headers: fixedHeaders, payload: fixedPayload, chunked: false)
                }
                return
            }
        }
        write(context: context, head: head, headers: headers, payload: payload, chunked: chunked)
    }

    /// Writes the streamed body while the connection can take it.
    func pump(context: ChannelHandlerContext) {
        let chunk = ByteBuffer(repeating: UInt8(ascii: "s"), count: 64 * 1024)
        while streamRemaining > 0, context.channel.isWritable {
            let slice = chunk.getSlice(at: 0, length: min(chunk.readableBytes, streamRemaining))!
            streamRemaining -= slice.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(slice))), promise: nil)
            if streamRemaining == 0 { context.write(wrapOutboundOut(.end(nil)), promise: nil) }
        }
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if streamRemaining > 0, context.channel.isWritable { pump(context: context) }
    }

    func write(context: ChannelHandlerContext, head: HTTPRequestHead, headers: HTTPHeaders, payload: ByteBuffer, chunked: Bool) {
        var headers = headers
        if chunked {
            headers.add(name: "transfer-encoding", value: "chunked")
        } else {
            headers.add(name: "content-length", value: "\(payload.readableBytes)")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        var remaining = payload
        while remaining.readableBytes > 0, let slice = remaining.readSlice(length: min(64 * 1024, remaining.readableBytes)) {
            context.write(wrapOutboundOut(.body(.byteBuffer(slice))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
