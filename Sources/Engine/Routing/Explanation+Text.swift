import RouteLang

// MARK: - Text

extension Explanation {
    /// The explanation as a person reads it.
    public var text: String {
        var out = "request   \(request.method) \(request.host ?? "(no host)")\(request.path)\(request.query.map { "?" + $0 } ?? "")\n"
        if let route {
            out += "route     \(route)\n"
        } else if failure?.kind == .unidentified {
            out += "route     (none matched, and the identifier cannot name it)\n"
        } else {
            out += "route     (none matched; named by the identifier)\n"
        }
        for rejection in rejected {
            out += "          tried `\(rejection.route)` first: \(Formatter.condition(rejection.failed)) does not hold\n"
        }
        for loser in outranked {
            out += "          `\(loser.route)` matched too, but `\(route ?? "")` ranks higher: \(loser.reason)\n"
        }
        if let name { out += "name      \(name.show)\n" }
        if let dtab { out += "dtab      \(dtab.show.isEmpty ? "(empty)" : dtab.show)\n" }
        if let resolution {
            out += "delegation\n"
            out += Self.render(resolution.trace, indent: "  ")
        }
        let destinations = self.destinations
        if !destinations.isEmpty {
            out += "bound     \(resolution.map { $0.tree.show } ?? "")\n"
            for (name, share) in destinations {
                let endpoints = name.endpoints.isEmpty ? "no endpoints" : name.endpoints.map(\.description).joined(separator: ", ")
                let shedNote = shed.contains(name.id) ? " (shed: every endpoint is failing; its share goes to the other arms)" : ""
                out += "          \(Self.percent(share)) \(name.id.show)\(name.residual.isEmpty ? "" : " residual \(name.residual.show)") -> \(endpoints)"
                    + shedNote + "\n"
            }
        }
        if let policy {
            out += "policy in force (stack: \(RequestStack.description))\n" + PolicyDescription.lines(policy).map { "  \($0)\n" }.joined()
        }
        if let failure {
            out += "result    \(failure.status) \(failure.message)\n"
        } else {
            out += "result    routed\n"
        }
        return out
    }

    public static func percent(_ share: Double) -> String {
        let text = WeightFormat.shortest((share * 1000).rounded() / 10) + "%"
        return text.count >= 6 ? text : String(repeating: " ", count: 6 - text.count) + text
    }

    /// The delegation tree, one step a line.
    public static func render(_ node: DelegationNode, indent: String) -> String {
        var line = indent
        var children = node.children
        switch node.step {
        case .name(let path): line += path.show
        case .repeated(let path): line += "\(path.show) (as above)"
        case .dentry(let dentry): line += "dentry \(dentry.show)"
        case .namer(let prefix):
            line += "namer \(prefix.show)"
        case .alt: line += "alternation"
        case .union: line += "union"
        case .weight(let weight):
            // Fold a weighted branch into its child's line.
            if children.count == 1 {
                return indent + "\(WeightFormat.twoDecimals(weight)) * " + render(children[0], indent: indent).dropFirst(indent.count)
            }
            line += "\(WeightFormat.twoDecimals(weight)) *"
        case .neg: line += "~"
        case .fail: line += "!"
        case .empty: line += "$"
        case .bound(let name):
            let endpoints = name.endpoints.isEmpty ? "no endpoints" : "\(name.endpoints.count) endpoint\(name.endpoints.count == 1 ? "" : "s")"
            line += "bound \(name.id.show)\(name.residual.isEmpty ? "" : " residual \(name.residual.show)") (\(endpoints))"
            children = []
        }
        line += "  [\(outcomeText(node.outcome))]\n"
        return line + children.map { render($0, indent: indent + "  ") }.joined()
    }

    static func outcomeText(_ outcome: DelegationNode.Outcome) -> String {
        if case .error(let message) = outcome { return "error: \(message)" }
        return outcome.name
    }
}
