import Engine
import Foundation
import NIOCore
import RouteLang

// MARK: - AdminAPI

/// The admin endpoints, independent of the HTTP server that carries them:
/// `/metrics`, `/ready`, `/live`, `/config`, `/routes`, `/explain`,
/// `/endpoints`.
public struct AdminAPI: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String
    }

    let runtime: ConfigRuntime
    let metrics: ProxyMetrics
    let board: HealthBoard
    let isReady: @Sendable () -> Bool

    public init(runtime: ConfigRuntime, metrics: ProxyMetrics, board: HealthBoard, isReady: @escaping @Sendable () -> Bool) {
        self.runtime = runtime
        self.metrics = metrics
        self.board = board
        self.isReady = isReady
    }

    public func handle(method: String, target: String) -> Response {
        guard method == "GET" || method == "HEAD" else { return Response(status: 405, contentType: "text/plain", body: "GET only\n") }
        let components = URLComponents(string: target)
        let query = components?.queryItems ?? []
        switch components?.path ?? target {
        case "/live": return Response(status: 200, contentType: "text/plain", body: "live\n")
        case "/ready":
            guard isReady() else { return Response(status: 503, contentType: "text/plain", body: "not ready: starting or draining\n") }
            let waiting = runtime.namersWaiting
            guard waiting.isEmpty else {
                let lines = waiting.sorted { $0.key < $1.key }.map { "namer \($0.key) has produced no services yet: \($0.value)\n" }
                return Response(status: 503, contentType: "text/plain", body: "not ready\n" + lines.joined())
            }
            return Response(status: 200, contentType: "text/plain", body: "ready\n")
        case "/metrics":
            metrics.refreshDestinations(board, namers: runtime.snapshot.namers, now: NIODeadline.now().uptimeNanoseconds)
            return Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
        case "/config": return json(config())
        case "/routes": return json(routes())
        case "/endpoints": return json(endpoints())
        case "/explain": return explain(query)
        default:
            return Response(status: 404, contentType: "text/plain",
                            body: "unknown admin path; try /metrics /ready /live /config /routes /explain /endpoints\n")
        }
    }

    // MARK: Endpoints

    func config() -> [String: Any] {
        let status = runtime.status
        var object: [String: Any] = [
            "path": status.path, "version": status.version, "generation": status.generation,
            "loadedAt": ISO8601DateFormatter().string(from: status.loadedAt), "source": status.source,
            "reloads": ["applied": status.reloadsApplied, "rejected": status.reloadsRejected],
        ]
        if let last = status.lastReload {
            object["lastReload"] = [
                "trigger": last.trigger, "at": ISO8601DateFormatter().string(from: last.at),
                "result": last.applied ? "applied" : "rejected", "errors": last.errors, "warnings": last.warnings,
                "diagnostics": last.diagnostics,
            ] as [String: Any]
        }
        return object
    }

    func routes() -> [String: Any] {
        let config = runtime.snapshot.config
        return [
            "stack": RequestStack.description,
            "defaults": PolicyDescription.lines(config.defaults),
            "identification": config.identification?.description as Any,
            "dtab": config.dtab.show,
            "routes": config.routes.enumerated().map { index, route in
                [
                    "precedence": "source order \(index + 1); most specific clause wins",
                    "name": route.name,
                    "when": route.clauses.map { clause in clause.map(Formatter.condition) },
                    "to": route.target.description,
                    "dtab": route.dtab.show,
                    "policy": PolicyDescription.lines(route.policy),
                ] as [String: Any]
            },
        ]
    }

    /// Per source, what it said (`endpoints`) and what the proxy uses for
    /// that service now (`inRotation`: those endpoints less the ones
    /// failure accrual holds out); per destination, each endpoint's state,
    /// and whether the destination is shed (`arms`).
    func endpoints() -> [String: Any] {
        var namers: [String: Any] = [:]
        let snapshot = runtime.snapshot
        let now = NIODeadline.now().uptimeNanoseconds
        for (name, namer) in snapshot.namers.namers {
            guard let report = (namer as? any DiscoveryNamer)?.report else { continue }
            namers[name] = [
                "kind": report.kind.rawValue, "source": report.source, "state": report.state.rawValue, "problems": report.problems,
                "services": Dictionary(uniqueKeysWithValues: report.services.map { service, endpoints in
                    let destination = Path(["#", name] + (service.isEmpty ? [] : [service]))
                    return (service, [
                        "endpoints": endpoints.map { ["address": $0.description, "weight": $0.weight] as [String: Any] },
                        "destination": destination.show,
                        "inRotation": Rotation.inRotation(endpoints, gates: board.existing(destination)?.gates ?? [:]).map(\.description),
                    ] as [String: Any])
                }),
            ] as [String: Any]
        }
        return ["namers": namers, "destinations": EndpointReport.destinations(board, namers: snapshot.namers, now: now),
                "arms": EndpointReport.arms(board, now: now)]
    }

    func explain(_ query: [URLQueryItem]) -> Response {
        guard let url = query.first(where: { $0.name == "url" })?.value else {
            return Response(status: 400, contentType: "text/plain", body: "explain needs ?url=…[&method=GET][&header=name:value]\n")
        }
        let method = query.first { $0.name == "method" }?.value ?? "GET"
        if !LiteralParser.isToken(method) || method != method.uppercased() {
            return Response(status: 400, contentType: "text/plain", body: "method `\(method)` is not an HTTP method as a client sends it (case-sensitive)\n")
        }
        guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") else {
            return Response(status: 400, contentType: "text/plain", body: "url `\(url)` has no scheme: give http://HOST/PATH\n")
        }
        let headers = query.filter { $0.name == "header" }.compactMap { item -> RequestFacts.Header? in
            guard let value = item.value, let colon = value.firstIndex(of: ":") else { return nil }
            return RequestFacts.Header(String(value[..<colon]), value[value.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let dtab = query.first { $0.name == "dtab" }?.value
        var explanation = Explanation.explain(runtime.snapshot, request: RequestFacts(method: method, target: url, headers: headers),
                                              dtabOverride: dtab)
        explanation.shed = Set(explanation.destinations.map(\.name.id).filter { (board.existing($0)?.armGate ?? 0) != 0 })
        if query.first(where: { $0.name == "format" })?.value == "text" {
            return Response(status: 200, contentType: "text/plain", body: explanation.text)
        }
        return json(explanation.json)
    }

    func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: 200, contentType: "application/json", body: String(decoding: data, as: UTF8.self) + "\n")
    }
}
