import NIOCore
import RouteLang
import NIOHTTP2

// MARK: - HTTP2Listener

/// The HTTP/2 side of a listener: the connection handler with its limits,
/// and for every stream a bridge that hands the request to the same
/// `ProxyConnection` (and so the same `RequestMachine`) as HTTP/1.1.
enum HTTP2Listener {
    /// Settings the proxy announces: streams a client may open at once, the
    /// largest header list it accepts (the HTTP/1.1 head limit), and the
    /// flow-control window each stream starts with.
    static func settings(_ runtime: LoopRuntime) -> HTTP2Settings {
        [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
            HTTP2Setting(parameter: .maxHeaderListSize, value: runtime.options.limits.maxHeadBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: 65_535),
        ]
    }

    /// Adds the HTTP/2 connection handler and stream multiplexer to a client
    /// connection whose preface was seen (behind the sniffer, which leaves).
    static func configure(_ channel: Channel, runtime: LoopRuntime, listener: ListenerConfig) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = settings(runtime)
        let stream = NIOHTTP2Handler.StreamConfiguration()
        // Streams live on their connection's loop, and so does the runtime.
        let loopRuntime = NIOLoopBound(runtime, eventLoop: channel.eventLoop)
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: stream, position: .last
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                let runtime = loopRuntime.value
                try streamChannel.pipeline.syncOperations.addHandler(HTTP2StreamBridge(limits: runtime.options.limits))
                try streamChannel.pipeline.syncOperations.addHandler(ProxyConnection(runtime: runtime, listener: listener,
                                                                                     clientHTTP2: true))
            }
        }
    }
}
