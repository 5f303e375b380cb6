import Engine
import RouteLang

// MARK: - RoutingBenchmark

/// Decision plus delegation per request with a warm binding cache, at
/// several route counts, and the time to compile the routing snapshot.
enum RoutingBenchmark {
    /// Binds every `/#/disco/<service>` to two endpoints, so no files are read.
    struct SyntheticNamer: Namer {
        func lookup(_ path: Path) -> NameTree<NamerResult> {
            guard let service = path.labels.first else { return .neg }
            let endpoints = [Endpoint(host: "127.0.0.1", port: 9101), Endpoint(host: "127.0.0.1", port: 9102)]
            return .leaf(.bound(BoundName(id: Path(["#", "disco", service]), residual: path.dropFirst(1), endpoints: endpoints)))
        }
    }

    static func run(iterations: Int) {
        var perRequest: [String: Duration] = [:]
        for count in [10, 1_000, 10_000] {
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: count))
            guard let config = RuleFrontEnd.lint(source).config else {
                print("generated file does not compile")
                return
            }
            let namers = NamerTable(["disco": SyntheticNamer()])
            let compile = Measurement("compile snapshot, \(count) routes", iterations: count == 10_000 ? 5 : iterations) {
                _ = RoutingSnapshot(config: config, namers: namers)
            }
            print(compile.report)
            let router = Router(snapshot: RoutingSnapshot(config: config, namers: namers))
            for (workload, regexShare) in [("no regex", false), ("25% regex", true)] {
                measure(router: router, count: count, workload: workload, withRegex: regexShare, iterations: iterations, into: &perRequest)
            }
        }
        for workload in ["no regex", "25% regex"] {
            if let small = perRequest["\(workload) 10"], let large = perRequest["\(workload) 10000"] {
                print("\(workload): 10,000 routes cost \(ratio(large, small))x the 10-route cost per request")
            }
        }
    }

    static func measure(router: Router, count: Int, workload: String, withRegex: Bool, iterations: Int,
                        into perRequest: inout [String: Duration]) {
            let requests = self.requests(routes: count, total: 1_000, withRegex: withRegex)
            var routed = 0
            for request in requests {
                if case .success = router.route(request) { routed += 1 }
            }
            guard routed == requests.count else {
                print("only \(routed) of \(requests.count) requests routed")
                return
            }
            let batch = Measurement("route 1000 requests (\(workload)), \(count) routes, warm cache", iterations: iterations * 4) {
                for request in requests { _ = router.route(request) }
            }
            let median = batch.quantile(0.5) / requests.count
            perRequest["\(workload) \(count)"] = median
            print("  " + batch.report + " -> median \(nanoseconds(median)) ns per request, "
                  + "min \(nanoseconds(batch.samples[0] / requests.count)) ns")
    }

    static func ratio(_ lhs: Duration, _ rhs: Duration) -> Double {
        let value = Double(nanoseconds(lhs)) / Double(max(1, nanoseconds(rhs)))
        return (value * 100).rounded() / 100
    }

    /// Routing only, for a profiler.
    static func loop(count: Int, withRegex: Bool) {
        let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: count))
        guard let config = RuleFrontEnd.lint(source).config else { return }
        let router = Router(snapshot: RoutingSnapshot(config: config, namers: NamerTable(["disco": SyntheticNamer()])))
        let requests = self.requests(routes: count, total: 1_000, withRegex: withRegex)
        for _ in 0..<2_000 {
            for request in requests { _ = router.route(request) }
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Requests spread over the routes, mixing the clause shapes the generator writes.
    /// Without regex, the third kind of request takes the prefix clause
    /// instead of the route's `path regex` clause.
    static func requests(routes: Int, total: Int, withRegex: Bool = true) -> [RequestFacts] {
        (0..<total).map { index in
            let route = (index * 7_919) % routes
            let path = "/api/v\(route % 7)/\(route)/items/\(index)"
            var headers = [RequestFacts.Header("user-agent", "bench/1.0"), RequestFacts.Header("accept", "*/*")]
            switch index % 4 {
            case 0: break
            case 1: headers.append(RequestFacts.Header("x-env", "staging"))
            case 2 where withRegex:
                return RequestFacts(method: "GET", target: "http://svc\(route).example.com/v2/items/\(route)/abc", headers: headers)
            case 2: headers.append(RequestFacts.Header("x-request-id", "\(index)"))
            default: return RequestFacts(method: "POST", target: "http://svc\(route).example.com/other?tenant=t\(route % 100)", headers: headers)
            }
            return RequestFacts(method: "GET", target: "http://svc\(route).example.com\(path)", headers: headers)
        }
    }
}
