import Engine
import RouteLang

// MARK: - DelegationBenchmark

/// The cost of one binding (no cache) for ordinary and hostile dtabs: the
/// work budget must keep the worst case near a millisecond of event-loop time.
enum DelegationBenchmark {
    static let cases: [(name: String, dtab: String, path: String)] = [
        ("ordinary: /svc/users through a canary split", "/svc=>/#/disco;/svc/users=>0.95*/#/disco/users-v1 & 0.05*/#/disco/users-v2", "/svc/users"),
        ("self-naming union (issue 7's file)", "/svc=>/x;/x=>(/x & /x & /$/inet/127.0.0.1/1)", "/svc/web"),
        ("60 levels of `a | a` ending in neg", (0..<60).map { "/a\($0)=>/a\($0 + 1) | /a\($0 + 1)" }.joined(separator: ";") + ";/a60=>~", "/a0"),
        ("union doubling per level, 20 levels", (0..<20).map { "/l\($0)=>/l\($0 + 1)/0 & /l\($0 + 1)/1" }.joined(separator: ";") + ";/l20=>~", "/l0"),
    ]

    static let repeats = 20

    /// Median microseconds of one binding.
    static func perBinding(_ measurement: Measurement) -> Int {
        let median = measurement.quantile(0.5).components
        return Int(((Double(median.seconds) * 1e6 + Double(median.attoseconds) / 1e12) / Double(repeats)).rounded())
    }

    static func describe(_ resolution: Delegator.Resolution) -> String {
        guard let error = resolution.error else { return resolution.outcome.name }
        switch error.kind {
        case .loop: return "loop error"
        case .budgetExceeded: return "node budget exceeded"
        case .tooSlow: return "time limit exceeded"
        case .namer: return "namer error"
        }
    }

    static func run(iterations: Int) {
        let namers = NamerTable(["disco": RoutingBenchmark.SyntheticNamer()])
        for (name, text, pathText) in cases {
            guard case .success(let dtab) = DtabParser.parseDtab(text), case .success(let path) = DtabParser.parsePath(pathText) else {
                print("\(name): does not parse")
                continue
            }
            // As the proxy binds (no trace, 1 ms limit), then as lint and explain do.
            let proxy = Delegator(dtab: dtab, namers: namers, timeLimit: Delegator.requestTimeLimit)
            let cli = Delegator(dtab: dtab, namers: namers)
            let onRequestPath = proxy.bind(path, tracing: false)
            let inCLI = cli.bind(path)
            let proxyTime = perBinding(Measurement(name, iterations: iterations) {
                for _ in 0..<repeats { _ = proxy.bind(path, tracing: false) }
            })
            let cliTime = perBinding(Measurement(name, iterations: iterations) {
                for _ in 0..<repeats { _ = cli.bind(path) }
            })
            print("\(name)")
            print("  request path: \(onRequestPath.steps) steps, \(describe(onRequestPath)), median \(proxyTime) us")
            print("  lint/CLI:     \(inCLI.steps) steps, \(describe(inCLI)), median \(cliTime) us (with the trace)")
        }
    }
}
