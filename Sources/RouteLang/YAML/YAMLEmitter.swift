import Yams

// MARK: - YAMLEmitter

/// Prints a `RuleFile` in the YAML form (for `switchyard convert --to yaml`).
/// The dtab becomes a literal block in Finagle syntax, one dentry a line.
/// Comments are not carried over: YAML emitters do not keep them.
public enum YAMLEmitter {
    public static func emit(_ file: RuleFile) throws -> String {
        var top: [(String, Node)] = []
        var listeners: [Node] = []
        var namers: [Node] = []
        var routes: [Node] = []
        var splits: [Node] = []
        var dtabLines: [String] = []
        for statement in file.statements {
            switch statement {
            case .listen(let decl):
                var pairs: [(Node, Node)] = [pair("address", plain(decl.address.text))]
                if decl.allowDtabOverride != nil { pairs.append(pair("allow-dtab-override", "true")) }
                if let tls = decl.tls {
                    pairs.append(pair("tls", .mapping(.init([pair("cert", plain(tls.cert.value)), pair("key", plain(tls.key.value))]))))
                }
                listeners.append(.mapping(.init(pairs)))
            case .admin(let decl):
                top.append(("admin", plain(decl.address.text)))
            case .namer(let decl):
                namers.append(.mapping(.init([pair("name", plain(decl.name.value)), pair(decl.kind.value.rawValue, plain(decl.argument.value))]
                    + decl.options.map { pair($0.key.value, plain($0.value?.value ?? "true")) })))
            case .identify(let decl):
                top.append(("identify", identify(decl.form)))
            case .dtab(let block):
                dtabLines += block.entries.map(dentry)
            case .defaults(let block):
                top.append(("defaults", .mapping(.init(policies(block.items)))))
            case .route(let decl):
                routes.append(route(decl))
            case .limits(let block):
                top.append(("limits", .mapping(.init(block.items.map { pair($0.name.value, plain($0.valueText)) }))))
            case .tracing(let decl):
                top.append(("tracing", .mapping(.init([pair(decl.exporter.value, plain(decl.endpoint.value))]
                    + (decl.sample.map { [pair("sample", plain($0.text))] } ?? [])))))
            case .accessLog(let decl):
                top.append(("access-log", plain(decl.path.value)))
            case .split(let decl):
                let entries: [Node] = decl.entries.map { entry in
                    .mapping(.init([pair("weight", plain(entry.weight.text)), pair("path", plain(entry.target.text))]))
                }
                splits.append(.mapping(.init([pair("path", plain(decl.path.text)), pair("to", .sequence(.init(entries)))])))
            }
        }
        var pairs: [(Node, Node)] = []
        if !listeners.isEmpty { pairs.append(pair("listen", .sequence(.init(listeners)))) }
        pairs += top.filter { $0.0 == "admin" }.map { (plain($0.0), $0.1) }
        if !namers.isEmpty { pairs.append(pair("namers", .sequence(.init(namers)))) }
        pairs += top.filter { $0.0 == "identify" }.map { (plain($0.0), $0.1) }
        if !dtabLines.isEmpty { pairs.append(pair("dtab", block(dtabLines))) }
        pairs += top.filter { $0.0 == "defaults" }.map { (plain($0.0), $0.1) }
        pairs += top.filter { ["limits", "tracing", "access-log"].contains($0.0) }.map { (plain($0.0), $0.1) }
        if !routes.isEmpty { pairs.append(pair("routes", .sequence(.init(routes)))) }
        if !splits.isEmpty { pairs.append(pair("splits", .sequence(.init(splits)))) }
        return try Yams.serialize(node: .mapping(.init(pairs)), indent: 2, width: -1, allowUnicode: true)
    }

    // MARK: Pieces

    static func pair(_ key: String, _ value: Node) -> (Node, Node) {
        (plain(key), value)
    }

    static func plain(_ text: String) -> Node {
        .scalar(.init(text))
    }

    static func block(_ lines: [String]) -> Node {
        .scalar(.init(lines.joined(separator: "\n") + "\n", .implicit, .literal))
    }

    static func dentry(_ entry: DentrySyntax) -> String {
        "\(entry.prefix.text) => \(Formatter.tree(entry.tree));"
    }

    static func identify(_ form: IdentifyForm) -> Node {
        switch form {
        case .host: return "host"
        case .methodHost: return "method-host"
        case .header(let name): return .mapping(.init([pair("header", plain(name.value))]))
        case .path(let count): return .mapping(.init([pair("path", plain(count.text))]))
        case .template(let template): return .mapping(.init([pair("template", plain(template.text))]))
        }
    }

    static func list(_ texts: [String]) -> Node {
        .sequence(.init(texts.map(plain), .implicit, .flow))
    }

    static func route(_ decl: RouteDecl) -> Node {
        var pairs: [(Node, Node)] = [pair("name", plain(decl.name.value))]
        let whens = decl.whenClauses
        if !whens.isEmpty {
            pairs.append(pair("when", .sequence(.init(whens.map { clause in
                .sequence(.init(clause.conditions.map { condition($0.condition) }))
            }))))
        }
        if let target = decl.targets.first { pairs.append(pair("to", plain(target.text))) }
        let entries = decl.dtabBlocks.flatMap(\.entries)
        if !entries.isEmpty { pairs.append(pair("dtab", block(entries.map(dentry)))) }
        pairs += policies(decl.policies)
        return .mapping(.init(pairs))
    }

    static func condition(_ condition: Condition) -> Node {
        let entry: (Node, Node)
        switch condition.test {
        case .host(let pattern): entry = pair("host", plain(pattern.description))
        case .path(let path): entry = pair("path", plain(path))
        case .pathPrefix(let prefix): entry = pair("path-prefix", plain(prefix))
        case .pathRegex(let pattern): entry = pair("path-regex", plain(pattern))
        case .methods(let methods): entry = pair("method", list(methods))
        case .headerPresent(let name): entry = pair("header", plain(name))
        case .headerEquals(let name, let value):
            entry = pair("header", .mapping(.init([pair("name", plain(name)), pair("equals", plain(value))])))
        case .headerMatches(let name, let pattern):
            entry = pair("header", .mapping(.init([pair("name", plain(name)), pair("matches", plain(pattern))])))
        case .queryEquals(let name, let value):
            entry = pair("query", .mapping(.init([pair("name", plain(name)), pair("equals", plain(value))])))
        }
        let node = Node.mapping(.init([entry]))
        return condition.negated ? .mapping(.init([pair("not", node)])) : node
    }

    static func policies(_ items: [PolicyItem]) -> [(Node, Node)] {
        var pairs: [(Node, Node)] = []
        var rules: [Node] = []
        for item in items {
            switch item.kind {
            case .timeout(let duration): pairs.append(pair("timeout", plain(duration.text)))
            case .attemptTimeout(let duration): pairs.append(pair("attempt-timeout", plain(duration.text)))
            case .retry(let retry):
                var options: [(Node, Node)] = [pair("on", list(retry.classes.map(\.text)))]
                options += optional("limit", retry.limit?.text) + optional("budget", retry.budget?.text)
                options += optional("min", retry.minRate?.text) + optional("ttl", retry.ttl?.text)
                options += optional("backoff", retry.backoff?.text)
                if !retry.methods.isEmpty { options.append(pair("methods", list(retry.methods.map(\.text)))) }
                pairs.append(pair("retry", .mapping(.init(options))))
            case .accrual(let accrual):
                var options: [(Node, Node)]
                switch accrual.mode {
                case .consecutive(let count): options = [pair("consecutive", plain(count.text))]
                case .successRate(let rate): options = [pair("success-rate", plain(rate.text))]
                }
                options += optional("window", accrual.window?.text) + optional("min-requests", accrual.minRequests?.text)
                options += optional("backoff", accrual.backoff?.text) + optional("max-ejection", accrual.maxEjection?.text)
                if accrual.failFast != nil { options.append(pair("fail-fast", plain("true"))) }
                pairs.append(pair("accrual", .mapping(.init(options))))
            case .balance(let balance):
                var options: [(Node, Node)] = [pair("algorithm", plain(balance.algorithm.text))]
                options += optional("decay", balance.decay?.text) + optional("default-rtt", balance.defaultRTT?.text)
                options += optional("slow-start", balance.slowStart?.text)
                pairs.append(pair("balance", .mapping(.init(options))))
            case .upgrade(let protocols):
                pairs.append(pair("upgrade", list(protocols.map(\.text))))
            case .upstreamProtocol(let name):
                pairs.append(pair("protocol", plain(name.text)))
            case .off(let keyword):
                pairs.append(pair(keyword.text, plain("none")))
            case .classify(let classify):
                rules.append(.mapping(.init([pair("on", list(classify.selectors.map(\.text))),
                                             pair("as", plain(classify.responseClass.text))])))
            }
        }
        if !rules.isEmpty { pairs.append(pair("classify", .sequence(.init(rules)))) }
        return pairs
    }

    static func optional(_ key: String, _ value: String?) -> [(Node, Node)] {
        value.map { [pair(key, plain($0))] } ?? []
    }
}
