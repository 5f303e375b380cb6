import Engine
import Proxy
import RouteLang

// MARK: - DataPlaneBenchmark

/// The data plane's per-request work without sockets: parse the request
/// head, route it, write the forwarded head, parse the backend's response
/// head and write the client's. Shows how much of a request's cost is ours
/// rather than the event loop's and the kernel's.
enum DataPlaneBenchmark {
    static func run(iterations: Int) {
        let request = Array("GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 29 Nov 2026 01:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: keep-alive\r\n\r\n".utf8)
        let source = SourceFile(name: "bench.routes", text: "listen 127.0.0.1:1\nidentify host\ndtab { /svc => /$/inet/127.0.0.1/18080; }\n")
        guard let config = RuleFrontEnd.lint(source).config else { return }
        let router = Router(snapshot: RoutingSnapshot(config: config, namers: NamerTable()))
        let requestParser = RequestHeadParser()
        let responseParser = ResponseHeadParser()
        var sink = 0
        func once() {
            guard case .complete(let head) = requestParser.parse(request) else { return }
            let facts = RequestFacts(method: head.method, target: head.target, authority: head.authority, headers: [])
            guard case .success(let decision) = router.route(facts) else { return }
            let context = HeadRewriter.RequestContext(clientAddress: "127.0.0.1", logicalName: decision.nameText,
                                                      boundName: decision.leaves[0].idText, forwardDtab: false,
                                                      endpoint: "127.0.0.1:9101")
            sink &+= HeadRewriter.request(head, context: context).readableBytes
            let parsed = response.withUnsafeBufferPointer { responseParser.parse($0, requestMethod: head.method) }
            guard case .complete(let responseHead) = parsed else { return }
            sink &+= HeadRewriter.response(responseHead, clientVersion: head.version, closeClient: false).readableBytes
        }
        let batch = 10_000
        let measurement = Measurement("data plane work for \(batch) requests", iterations: iterations) {
            for _ in 0..<batch { once() }
        }
        print(measurement.report + " -> median \(RoutingBenchmark.nanoseconds(measurement.quantile(0.5) / batch)) ns per request (\(sink % 2))")
    }
}
