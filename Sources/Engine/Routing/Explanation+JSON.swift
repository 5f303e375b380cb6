import RouteLang

// MARK: - JSON

extension Explanation {
    /// The explanation as JSON-compatible values (for `--json` and the admin API).
    public var json: [String: Any] {
        var object: [String: Any] = [
            "request": [
                "method": request.method, "host": request.host as Any, "path": request.path,
                "query": request.query as Any,
            ],
            "route": route as Any,
            "rejected": rejected.map { ["route": $0.route, "failed": Formatter.condition($0.failed)] },
            "outranked": outranked.map { ["route": $0.route, "reason": $0.reason] },
            "name": name?.show as Any,
            "dtab": dtab?.show as Any,
        ]
        if let resolution {
            object["delegation"] = Self.json(resolution.trace)
            object["result"] = resolution.outcome.name
            object["tree"] = resolution.tree.show
        }
        object["destinations"] = destinations.map { name, share in
            ["id": name.id.show, "residual": name.residual.show, "share": share, "shed": shed.contains(name.id),
             "endpoints": name.endpoints.map(\.description)] as [String: Any]
        }
        if let policy { object["policy"] = PolicyDescription.lines(policy) }
        if let failure {
            object["status"] = failure.status
            object["error"] = failure.message
        }
        return object
    }

    static func json(_ node: DelegationNode) -> [String: Any] {
        var object: [String: Any] = ["outcome": node.outcome.name]
        if case .error(let message) = node.outcome { object["error"] = message }
        switch node.step {
        case .name(let path): object["name"] = path.show
        case .repeated(let path):
            object["name"] = path.show
            object["repeated"] = true
        case .dentry(let dentry): object["dentry"] = dentry.show
        case .namer(let prefix): object["namer"] = prefix.show
        case .alt: object["alt"] = true
        case .union: object["union"] = true
        case .weight(let weight): object["weight"] = weight
        case .neg: object["tree"] = "~"
        case .fail: object["tree"] = "!"
        case .empty: object["tree"] = "$"
        case .bound(let name):
            object["bound"] = name.id.show
            object["residual"] = name.residual.show
            object["endpoints"] = name.endpoints.map(\.description)
        }
        if !node.children.isEmpty { object["children"] = node.children.map(json) }
        return object
    }
}
