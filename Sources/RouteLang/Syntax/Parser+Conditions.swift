// MARK: - Conditions

extension Parser {
    /// `when = "when" condition { "and" condition } ;`
    mutating func parseWhen() -> WhenClause? {
        let keyword = advance()
        var conditions: [ConditionSyntax] = []
        repeat {
            guard let condition = parseCondition() else { return nil }
            conditions.append(condition)
        } while consumeWord("and") != nil || consumeMisspeltAnd()
        if current.kind == .pipe || (current.kind == .word && current.text == "or" && !current.isAtLineStart) {
            let found = current
            error(.wrongOperator, "`\(found.kind == .pipe ? "||" : "or")` is not an operator here", at: found.range,
                  help: "a route's `when` lines are alternatives: put the other condition on a second `when` line")
            return nil
        }
        return WhenClause(conditions: conditions, range: keyword.range.through(previousRange))
    }

    /// `condition = [ "not" ] ( "host" string | "path" [ "prefix" | "regex" ] string
    ///            | "method" method { "," method } | "header" string [ ( "==" | "~" ) string ]
    ///            | "query" string "==" string ) ;`
    mutating func parseCondition() -> ConditionSyntax? {
        let start = current.range
        let negated = consumeWord("not") != nil
        guard current.kind == .word else {
            error(.emptyCondition, "expected a condition, found \(describe(current))", at: current.range,
                  help: "conditions are: " + ConditionSyntax.keywords.filter { $0 != "not" }.joined(separator: ", "))
            return nil
        }
        let keyword = advance()
        func make(_ test: ConditionTest, _ argument: SourceRange, value: SourceRange? = nil) -> ConditionSyntax {
            ConditionSyntax(condition: Condition(test, negated: negated), range: start.through(previousRange),
                            argumentRange: argument, valueRange: value)
        }
        switch keyword.text {
        case "host":
            guard let host = expectString("a host such as \"api.example.com\"") else { return nil }
            return make(.host(HostPattern(host.value)), host.range)
        case "path":
            let modifier = consumeWord("prefix") ?? consumeWord("regex")
            guard let path = expectString("a path such as \"/users/\"") else { return nil }
            switch modifier?.text {
            case "prefix": return make(.pathPrefix(path.value), path.range)
            case "regex": return make(.pathRegex(path.value), path.range)
            default: return make(.path(path.value), path.range)
            }
        case "method":
            guard let methods = parseMethods() else { return nil }
            return make(.methods(methods.map(\.value)), methods[0].range.through(methods[methods.count - 1].range))
        case "header":
            guard let name = parseHeaderName() else { return nil }
            if consume(.equalEqual) != nil || consumeMisspeltEquality() {
                guard let value = expectString("the header value") else { return nil }
                return make(.headerEquals(name.value, value.value), name.range, value: value.range)
            }
            if consume(.tilde) != nil {
                guard let pattern = expectString("a regular expression") else { return nil }
                return make(.headerMatches(name.value, pattern.value), name.range, value: pattern.range)
            }
            return make(.headerPresent(name.value), name.range)
        case "query":
            guard let name = expectString("a query parameter name") else { return nil }
            guard consumeMisspeltEquality() || expect(.equalEqual, "after the query parameter name") != nil else { return nil }
            guard let value = expectString("the query parameter value") else { return nil }
            return make(.queryEquals(name.value, value.value), name.range, value: value.range)
        default:
            error(.unknownCondition, "unknown condition `\(keyword.text)`", at: keyword.range,
                  help: Suggestion.help(for: keyword.text, among: ConditionSyntax.keywords)
                    ?? "conditions are: " + ConditionSyntax.keywords.joined(separator: ", "))
            return nil
        }
    }

    // MARK: Near misses

    /// `&&` (or `&`) where `and` was meant: reported, then read as `and`.
    mutating func consumeMisspeltAnd() -> Bool {
        guard current.kind == .ampersand else { return false }
        let first = advance()
        let range = consume(.ampersand).map { first.range.through($0.range) } ?? first.range
        error(.wrongOperator, "`\(range.end - range.start == 2 ? "&&" : "&")` is not an operator here", at: range,
              help: "did you mean `and`?")
        return true
    }

    /// `=` where `==` was meant: reported, then read as `==`.
    mutating func consumeMisspeltEquality() -> Bool {
        guard current.kind == .equals else { return false }
        let token = advance()
        error(.wrongOperator, "`=` compares nothing", at: token.range, help: "did you mean `==`?")
        return true
    }
}
