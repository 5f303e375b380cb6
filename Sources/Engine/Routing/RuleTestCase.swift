import RouteLang

// MARK: - RuleTestCase

/// One rule test: a request and what routing must do with it. Operators
/// keep these beside their rule files and run them in CI (`switchyard test`).
public struct RuleTestCase: Sendable {
    public var name: String
    public var request: RequestFacts
    public var dtabOverride: String?
    /// The route that must match; `.some(nil)` means no route (identified).
    public var route: String??
    /// The logical name, e.g. `/svc/users`.
    public var logicalName: String?
    /// The bound ids, as a set (one id for a single destination).
    public var bound: Set<String>?
    /// 200 for "routed", else the failure status (400, 502).
    public var status: Int?

    public init(name: String, request: RequestFacts, dtabOverride: String? = nil, route: String?? = nil,
                logicalName: String? = nil, bound: Set<String>? = nil, status: Int? = nil) {
        self.name = name
        self.request = request
        self.dtabOverride = dtabOverride
        self.route = route
        self.logicalName = logicalName
        self.bound = bound
        self.status = status
    }

    /// What does not match the expectation (empty when the case passes).
    public func mismatches(in snapshot: RoutingSnapshot) -> [String] {
        let explanation = Explanation.explain(snapshot, request: request, dtabOverride: dtabOverride)
        var problems: [String] = []
        if let expected = route, expected != explanation.route {
            problems.append("route: expected \(expected ?? "none"), got \(explanation.route ?? "none")")
        }
        if let expected = logicalName, expected != explanation.name?.show {
            problems.append("name: expected \(expected), got \(explanation.name?.show ?? "none")")
        }
        let boundIDs = Set(explanation.destinations.map(\.name.id.show))
        if let expected = bound, explanation.failure != nil || expected != boundIDs {
            let got = explanation.failure == nil ? "{" + boundIDs.sorted().joined(separator: ", ") + "}" : "nothing (\(explanation.failure!.message))"
            problems.append("bound: expected {\(expected.sorted().joined(separator: ", "))}, got \(got)")
        }
        let actualStatus = explanation.status ?? 200
        if let expected = status, expected != actualStatus {
            problems.append("status: expected \(expected), got \(actualStatus)\(explanation.failure.map { " (\($0.message))" } ?? "")")
        }
        return problems
    }
}
