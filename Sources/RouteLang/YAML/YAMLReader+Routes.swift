import Yams

// MARK: - Routes and splits

extension YAMLReader {
    mutating func route(_ node: Node) -> RouteDecl? {
        guard let pairs = mapping(node, "a route", allowed: YAMLSchema.route) else { return nil }
        var name: Spanned<String>?
        var members: [RouteMember] = []
        var policyPairs: [(key: String, keyRange: SourceRange, value: Node)] = []
        for pair in pairs {
            switch pair.key {
            case "name":
                name = string(pair.value, "a route name")
                if let given = name, !LiteralParser.isName(given.value) {
                    parser.error(.invalidName, "invalid name `\(given.value)`", at: given.range,
                                 help: "a name starts with a letter and has only letters, digits, `_` and `-`")
                    name = nil
                }
            case "when":
                for clause in sequence(pair.value, "`when` clauses") ?? [] {
                    if let clause = whenClause(clause) { members.append(.when(clause)) }
                }
            case "to":
                if let target = template(pair.value, "a path template") {
                    members.append(.to(Spanned(target.value, text: target.text, range: pair.keyRange.through(target.range))))
                }
            case "dtab":
                if let entries = dtab(pair.value) {
                    members.append(.dtab(DtabBlock(entries: entries, range: pair.keyRange.through(range(of: pair.value)))))
                }
            default:
                policyPairs.append(pair)
            }
        }
        members += policyItems(policyPairs).map(RouteMember.policy)
        guard let name = require(name, "name", in: "a route", at: node) else { return nil }
        return RouteDecl(name: name, members: members, range: range(of: node).through(name.range))
    }

    mutating func split(_ node: Node) -> SplitDecl? {
        guard let pairs = mapping(node, "a split", allowed: YAMLSchema.split) else { return nil }
        var path: Spanned<Path>?
        var entries: [SplitEntry] = []
        for (key, _, value) in pairs {
            if key == "path" {
                path = plainPath(value, "the name to split")
                continue
            }
            for entryNode in sequence(value, "split destinations") ?? [] {
                guard let entryPairs = mapping(entryNode, "a split destination", allowed: YAMLSchema.splitEntry) else { continue }
                var weight: (Spanned<Double>, Bool)?
                var target: Spanned<Path>?
                for (entryKey, _, entryValue) in entryPairs {
                    if entryKey == "path" {
                        target = plainPath(entryValue, "a destination path")
                    } else if let text = string(entryValue, "a weight") {
                        let isPercent = text.value.hasSuffix("%")
                        if let parsed = self.value(entryValue, "a weight", code: isPercent ? .invalidPercentage : .invalidWeight,
                                                   isPercent ? LiteralParser.percentage : LiteralParser.weight) {
                            weight = (parsed, isPercent)
                        }
                    }
                }
                guard let weight = require(weight, "weight", in: "a split destination", at: entryNode),
                      let target = require(target, "path", in: "a split destination", at: entryNode) else { continue }
                entries.append(SplitEntry(weight: weight.0, isPercent: weight.1, target: target, range: range(of: entryNode)))
            }
        }
        guard let path = require(path, "path", in: "a split", at: node) else { return nil }
        return SplitDecl(path: path, entries: entries, range: range(of: node).through(path.range))
    }

    // MARK: Conditions

    /// A clause is a list of one-key mappings, e.g. `[{host: a.example.com}, {path-prefix: /users/}]`.
    mutating func whenClause(_ node: Node) -> WhenClause? {
        guard let items = sequence(node, "conditions") else { return nil }
        var conditions: [ConditionSyntax] = []
        for item in items {
            if let condition = condition(item, negated: false) { conditions.append(condition) }
        }
        guard !items.isEmpty else {
            parser.error(.emptyCondition, "a `when` clause needs at least one condition", at: range(of: node))
            return nil
        }
        guard conditions.count == items.count else { return nil }
        return WhenClause(conditions: conditions, range: range(of: node))
    }

    mutating func condition(_ node: Node, negated: Bool) -> ConditionSyntax? {
        let allowed = negated ? YAMLSchema.conditions.filter { $0 != "not" } : YAMLSchema.conditions
        guard let pairs = mapping(node, "a condition", allowed: allowed) else { return nil }
        if pairs.isEmpty, case .mapping(let written) = node, written.count > 0 { return nil }  // unknown key, reported
        guard pairs.count == 1, let (key, _, value) = pairs.first else {
            parser.error(.yamlWrongType, "a condition is a mapping with exactly one key", at: range(of: node),
                         help: "write each condition as its own list item")
            return nil
        }
        let whole = range(of: node)
        func make(_ test: ConditionTest, _ argument: SourceRange, value: SourceRange? = nil) -> ConditionSyntax {
            ConditionSyntax(condition: Condition(test, negated: negated), range: whole, argumentRange: argument, valueRange: value)
        }
        switch key {
        case "host":
            return string(value, "a host").map { make(.host(HostPattern($0.value)), $0.range) }
        case "path":
            return string(value, "a path").map { make(.path($0.value), $0.range) }
        case "path-prefix":
            return string(value, "a path prefix").map { make(.pathPrefix($0.value), $0.range) }
        case "path-regex":
            return string(value, "a regular expression").map { make(.pathRegex($0.value), $0.range) }
        case "method":
            guard let methods = methods(value) else { return nil }
            return make(.methods(methods.map(\.value)), range(of: value))
        case "header":
            return header(value, make)
        case "query":
            guard let pairs = mapping(value, "a query condition", allowed: YAMLSchema.query) else { return nil }
            let name = pairs.first { $0.key == "name" }.flatMap { string($0.value, "a parameter name") }
            let equals = pairs.first { $0.key == "equals" }.flatMap { string($0.value, "a value") }
            guard let name = require(name, "name", in: "a query condition", at: value),
                  let equals = require(equals, "equals", in: "a query condition", at: value) else { return nil }
            return make(.queryEquals(name.value, equals.value), name.range, value: equals.range)
        default:
            guard let inner = condition(value, negated: true) else { return nil }
            return ConditionSyntax(condition: inner.condition, range: whole, argumentRange: inner.argumentRange, valueRange: inner.valueRange)
        }
    }

    /// `header: NAME` (present) or `header: {name: NAME, equals: V}` / `{name: NAME, matches: RE}`.
    mutating func header(_ node: Node, _ make: (ConditionTest, SourceRange, SourceRange?) -> ConditionSyntax) -> ConditionSyntax? {
        if case .scalar = node {
            guard let name = headerName(node) else { return nil }
            return make(.headerPresent(name.value), name.range, nil)
        }
        guard let pairs = mapping(node, "a header condition", allowed: YAMLSchema.header) else { return nil }
        var name: Spanned<String>?
        var test: ((String) -> ConditionTest, Spanned<String>)?
        for (key, _, value) in pairs {
            switch key {
            case "name": name = headerName(value)
            case "equals": test = string(value, "a header value").map { text in ({ .headerEquals($0, text.value) }, text) }
            default: test = string(value, "a regular expression").map { text in ({ .headerMatches($0, text.value) }, text) }
            }
        }
        guard let name = require(name, "name", in: "a header condition", at: node) else { return nil }
        guard let test else { return make(.headerPresent(name.value), name.range, nil) }
        return make(test.0(name.value), name.range, test.1.range)
    }

    mutating func headerName(_ node: Node) -> Spanned<String>? {
        guard let name = string(node, "a header name") else { return nil }
        guard LiteralParser.isToken(name.value) else {
            parser.error(.invalidHeaderName, "invalid header name \"\(name.value)\"", at: name.range)
            return nil
        }
        return Spanned(name.value.lowercased(), text: name.text, range: name.range)
    }

    mutating func methods(_ node: Node) -> [Spanned<String>]? {
        var methods: [Spanned<String>] = []
        for item in sequence(node, "HTTP methods") ?? [] {
            guard let method = string(item, "an HTTP method") else { return nil }
            guard LiteralParser.isToken(method.value), method.value == method.value.uppercased() else {
                parser.error(.invalidMethod, "invalid HTTP method `\(method.value)`", at: method.range)
                return nil
            }
            methods.append(method)
        }
        return methods.isEmpty ? nil : methods
    }
}
