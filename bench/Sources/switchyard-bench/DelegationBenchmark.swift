import Engine
import RouteLang

// MARK: - DelegationBenchmark

/// The cost of one binding (no cache) for ordinary and hostile dtabs: the
/// work budget must keep the worst case near a millisecond of event-loop time.
enum DelegationBenchmark {
    static let cases: [(name: String, dtab: String, path: String)] = [
        ("ordinary: /svc/users through a canary split", "/svc=>/#/disco;/svc/users=>0.95*/#/disco/users-v1 & 0.05*/#/disco/users-v2", "/svc/users"),
        ("self-naming union (issue 7's file): loop error", "/svc=>/x;/x=>(/x & /x & /$/inet/127.0.0.1/1)", "/svc/web"),
        ("60 levels of `a | a` ending in neg", (0..<60).map { "/a\($0)=>/a\($0 + 1) | /a\($0 + 1)" }.joined(separator: ";") + ";/a60=>~", "/a0"),
        ("union doubling per level: budget of 10000 exhausted", (0..<20).map { "/l\($0)=>/l\($0 + 1)/0 & /l\($0 + 1)/1" }.joined(separator: ";") + ";/l20=>~", "/l0"),
    ]

    static func run(iterations: Int) {
        let namers = NamerTable(["disco": RoutingBenchmark.SyntheticNamer()])
        for (name, text, pathText) in cases {
            guard case .success(let dtab) = DtabParser.parseDtab(text), case .success(let path) = DtabParser.parsePath(pathText) else {
                print("\(name): does not parse")
                continue
            }
            let delegator = Delegator(dtab: dtab, namers: namers)
            let resolution = delegator.bind(path)
            let repeats = 20
            let measurement = Measurement(name, iterations: iterations) {
                for _ in 0..<repeats { _ = delegator.bind(path) }
            }
            let perBinding = Double(measurement.quantile(0.5).components.attoseconds) / 1e12 / Double(repeats)
                + Double(measurement.quantile(0.5).components.seconds) * 1e6 / Double(repeats)
            let outcome = resolution.error == nil ? resolution.outcome.name : "error"
            print("\(name): \(resolution.steps) steps, \(outcome); median \(Int(perBinding.rounded())) us per binding")
        }
    }
}
