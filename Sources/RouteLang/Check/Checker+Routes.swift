import RouteRegex

// MARK: - Routes

extension Checker {
    /// Route names are unique; each route has one `to`; conditions are valid;
    /// names can bind; retries are safe; no route is shadowed.
    mutating func checkRoutes() {
        var names: [String: SourceRange] = [:]
        var clauses: [ClauseInfo] = []
        let dtab = fileDtab
        let routes = file.statements.compactMap { statement -> RouteDecl? in
            if case .route(let decl) = statement { return decl } else { return nil }
        }
        clauses.reserveCapacity(routes.count * 2)
        names.reserveCapacity(routes.count)

        for (index, route) in routes.enumerated() {
            let name = route.name.value
            if let first = names[name] {
                error(.duplicateRoute, "route `\(name)` is declared twice", at: route.name.range,
                      notes: [Diagnostic.Note("first declared here", at: first)])
            }
            names[name] = names[name] ?? route.name.range

            let targets = route.targets
            if targets.isEmpty {
                error(.missingRouteTarget, "route `\(name)` has no `to`", at: route.name.range,
                      help: "add e.g. `to /svc/\(name)`")
            }
            for extra in targets.dropFirst() {
                error(.duplicateRouteTarget, "route `\(name)` has more than one `to`", at: extra.range,
                      notes: [Diagnostic.Note("first `to` here", at: targets[0].range)],
                      help: "use a weighted dentry or a `split` to send traffic to several names")
            }

            let whens = route.whenClauses
            for clause in whens { checkClause(clause) }
            let conditionSets = whens.isEmpty ? [[]] : whens.map { $0.conditions.map(\.condition) }
            for conditions in conditionSets {
                clauses.append(ClauseInfo(route: index, conditions: conditions))
            }

            let policies = route.policies
            checkPolicyItems(policies, in: "route `\(name)`")
            let policy = Compiler.merge(defaults, policies)
            checkMergedPolicy(policy, items: policies, owner: "route `\(name)`")
            checkRetrySafety(route, whens: whens, policy: policy)

            if let target = targets.first {
                let local = route.dtabBlocks.flatMap { $0.entries.map(\.dentry) }
                if !canBind(target.value.staticPrefix, dtab: dtab), !canBind(target.value.staticPrefix, dtab: local) {
                    warning(.unbindableName, "`\(target.value)` can never bind: no dentry matches it", at: target.range,
                            help: "add a dentry such as `\(Path(Array(target.value.staticPrefix.labels.prefix(1))).show) => /#/NAMER`")
                }
            }
        }

        for case .identify(let decl) in file.statements {
            let template = Compiler.template(for: decl.form)
            if !canBind(template.staticPrefix, dtab: dtab) {
                warning(.unbindableName, "identified names `\(template)` can never bind: no dentry matches them",
                        at: decl.range, help: "add a dentry such as `/svc => /#/NAMER`")
            }
        }
        checkShadowing(clauses, routes: routes)
    }

    // MARK: Conditions

    mutating func checkClause(_ clause: WhenClause) {
        var host: ConditionSyntax?
        var path: ConditionSyntax?
        for (index, syntax) in clause.conditions.enumerated() {
            let condition = syntax.condition
            if clause.conditions[..<index].contains(where: { $0.condition == condition }) {
                error(.duplicateCondition, "this condition is written twice in one `when`", at: syntax.range)
            }
            switch condition.test {
            case .host(let pattern):
                checkHost(pattern, at: syntax.argumentRange)
                if !condition.negated { checkSingle(syntax, &host, "host") }
            case .path(let value), .pathPrefix(let value):
                if !value.hasPrefix("/") {
                    error(.invalidPathPattern, "path \"\(value)\" does not start with `/`", at: syntax.argumentRange,
                          help: "write \"/\(value)\"")
                }
                if !condition.negated { checkSingle(syntax, &path, "path") }
            case .pathRegex(let pattern):
                checkRegex(pattern, at: syntax.argumentRange)
                if !condition.negated { checkSingle(syntax, &path, "path") }
            case .headerMatches(_, let pattern):
                checkRegex(pattern, at: syntax.valueRange ?? syntax.range)
            default:
                break
            }
        }
    }

    /// A clause may test one host and one path positively; two cannot both hold
    /// (or belong in two `when` clauses).
    mutating func checkSingle(_ syntax: ConditionSyntax, _ first: inout ConditionSyntax?, _ what: String) {
        guard let earlier = first else {
            first = syntax
            return
        }
        error(.contradictoryConditions, "a `when` clause can test the \(what) only once", at: syntax.range,
              notes: [Diagnostic.Note("first \(what) condition here", at: earlier.range)],
              help: "to match either, write a second `when` clause")
    }

    mutating func checkHost(_ pattern: HostPattern, at range: SourceRange) {
        let name: String
        switch pattern {
        case .exact(let host): name = host
        case .wildcard(let suffix): name = String(suffix.dropFirst())
        }
        // Labels of letters, digits and `-`, separated by single dots.
        var previous = UInt8(ascii: ".")
        var valid = !name.isEmpty
        for byte in name.utf8 where valid {
            if byte == UInt8(ascii: ".") {
                valid = previous != UInt8(ascii: ".")
            } else {
                valid = Lexer.isAlphaNumeric(byte) || byte == UInt8(ascii: "-")
            }
            previous = byte
        }
        if !valid || previous == UInt8(ascii: ".") {
            error(.invalidHostPattern, "invalid host pattern \"\(pattern)\"", at: range,
                  help: "write a host name such as \"api.example.com\" or a wildcard such as \"*.example.com\"")
        }
    }

    /// Regular expressions are PCRE2's (RouteRegex), the engine the decision
    /// tree matches with; each distinct pattern is compiled once, without JIT.
    mutating func checkRegex(_ pattern: String, at range: SourceRange) {
        if validPatterns.contains(pattern) { return }
        do {
            _ = try RouteRegex(pattern, jit: false)
            validPatterns.insert(pattern)
        } catch {
            self.error(.invalidRegex, "invalid regular expression \"\(pattern)\"", at: range,
                       help: "\(error); patterns use PCRE2 (Perl) syntax")
        }
    }

    // MARK: Retry safety

    /// Warns when a route only matches non-idempotent methods but its retry
    /// policy would need them to be retried on responses.
    mutating func checkRetrySafety(_ route: RouteDecl, whens: [WhenClause], policy: Policy) {
        let retriesResponses = policy.retry.classes.contains { $0 != .connectError } && policy.retry.limit > 0
        guard retriesResponses else { return }
        var unsafe: [String] = []
        for clause in whens {
            for syntax in clause.conditions where !syntax.condition.negated {
                if case .methods(let methods) = syntax.condition.test {
                    unsafe += methods.filter { !RetryPolicy.idempotentMethods.contains($0) && !policy.retry.methods.contains($0) }
                }
            }
        }
        guard let method = unsafe.first else { return }
        let range = route.policies.first { $0.keyword == "retry" }?.range ?? route.name.range
        warning(.retryWithoutIdempotence,
                "route `\(route.name.value)` matches \(method), which is not idempotent: it is only retried on connect errors",
                at: range, help: "if \(method) is safe to repeat here, add `methods \(method)` to the retry policy")
    }

    // MARK: Shadowing

    struct ClauseInfo {
        var route: Int
        var conditions: [Condition]
        var specificity: Specificity
        var host: HostPattern?
        var path: ConditionTest?

        init(route: Int, conditions: [Condition]) {
            self.route = route
            self.conditions = conditions
            self.specificity = Specificity(conditions)
            for condition in conditions where !condition.negated {
                switch condition.test {
                case .host(let pattern): host = host ?? pattern
                case .path, .pathPrefix, .pathRegex: path = path ?? condition.test
                default: break
                }
            }
        }
    }

    struct BucketKey: Hashable {
        var host: HostPattern?
        var path: ConditionTest?
    }

    /// A clause is shadowed when an earlier route's clause matches every
    /// request it matches (its conditions are a subset) with the same
    /// specificity, so the tie always goes to the earlier route. A route is
    /// reported when all its clauses are shadowed. Clauses are bucketed by
    /// host and path so this stays near-linear for large files.
    mutating func checkShadowing(_ clauses: [ClauseInfo], routes: [RouteDecl]) {
        var buckets: [BucketKey: [Int]] = [:]
        buckets.reserveCapacity(clauses.count)
        // Whether any clause leaves out its host or its path: most files
        // have none that do, and then those buckets need no lookups.
        var anyWithoutHost = false
        var anyWithoutPath = false
        for (index, clause) in clauses.enumerated() {
            buckets[BucketKey(host: clause.host, path: clause.path), default: []].append(index)
            anyWithoutHost = anyWithoutHost || clause.host == nil
            anyWithoutPath = anyWithoutPath || clause.path == nil
        }
        var shadowedBy: [Int: Int] = [:]
        var unshadowed: Set<Int> = []
        unshadowed.reserveCapacity(routes.count)
        for clauseIndex in clauses.indices {
            let clause = clauses[clauseIndex]
            var keys = [BucketKey(host: clause.host, path: clause.path)]
            if clause.path != nil, anyWithoutPath { keys.append(BucketKey(host: clause.host, path: nil)) }
            if clause.host != nil, anyWithoutHost { keys.append(BucketKey(host: nil, path: clause.path)) }
            if clause.host != nil, clause.path != nil, anyWithoutHost, anyWithoutPath { keys.append(BucketKey(host: nil, path: nil)) }
            let shadow = keys.lazy.flatMap { buckets[$0] ?? [] }.first { candidateIndex in
                let candidate = clauses[candidateIndex]
                return candidate.route < clause.route && candidate.specificity == clause.specificity
                    && candidate.conditions.allSatisfy(clause.conditions.contains)
            }
            if let shadow {
                shadowedBy[clause.route] = shadowedBy[clause.route] ?? clauses[shadow].route
            } else {
                unshadowed.insert(clause.route)
            }
        }
        for (routeIndex, shadowIndex) in shadowedBy.sorted(by: { $0.key < $1.key }) where !unshadowed.contains(routeIndex) {
            let route = routes[routeIndex]
            let winner = routes[shadowIndex]
            warning(.shadowedRoute, "route `\(route.name.value)` can never match: route `\(winner.name.value)` takes all its requests",
                    at: route.name.range, notes: [Diagnostic.Note("`\(winner.name.value)` is declared here", at: winner.name.range)],
                    help: "make its conditions more specific than `\(winner.name.value)`'s, or remove it")
        }
    }
}
