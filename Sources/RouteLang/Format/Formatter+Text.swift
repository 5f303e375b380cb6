// MARK: - Canonical text of values

extension Formatter {
    static func identify(_ form: IdentifyForm) -> String {
        switch form {
        case .host: return "host"
        case .methodHost: return "method-host"
        case .header(let name): return "header \(quote(name.value))"
        case .path(let count): return "path \(count.text)"
        case .template(let template): return template.text
        }
    }

    /// A name tree with RouteLang's spacing; parentheses are kept as written.
    public static func tree(_ tree: TreeSyntax) -> String {
        switch tree {
        case .path(let path): return path.text
        case .neg: return "~"
        case .fail: return "!"
        case .empty: return "$"
        case .group(let inner, _): return "(" + self.tree(inner) + ")"
        case .alt(let trees, _): return trees.map { self.tree($0) }.joined(separator: " | ")
        case .union(let branches, _):
            return branches.map { branch in
                (branch.weight.map { "\($0.text) * " } ?? "") + self.tree(branch.tree)
            }.joined(separator: " & ")
        }
    }

    static func when(_ clause: WhenClause) -> String {
        "when " + clause.conditions.map { condition($0.condition) }.joined(separator: " and ")
    }

    public static func condition(_ condition: Condition) -> String {
        let test: String
        switch condition.test {
        case .host(let pattern): test = "host \(quote(pattern.description))"
        case .path(let path): test = "path \(quote(path))"
        case .pathPrefix(let prefix): test = "path prefix \(quote(prefix))"
        case .pathRegex(let pattern): test = "path regex \(quote(pattern))"
        case .methods(let methods): test = "method " + methods.joined(separator: ", ")
        case .headerPresent(let name): test = "header \(quote(name))"
        case .headerEquals(let name, let value): test = "header \(quote(name)) == \(quote(value))"
        case .headerMatches(let name, let pattern): test = "header \(quote(name)) ~ \(quote(pattern))"
        case .queryEquals(let name, let value): test = "query \(quote(name)) == \(quote(value))"
        }
        return condition.negated ? "not " + test : test
    }

    /// A policy line with its options in canonical order.
    static func policy(_ item: PolicyItem) -> String {
        switch item.kind {
        case .timeout(let duration): return "timeout \(duration.text)"
        case .attemptTimeout(let duration): return "attempt-timeout \(duration.text)"
        case .retry(let retry):
            var line = "retry on " + retry.classes.map(\.text).joined(separator: ", ")
            line += option("limit", retry.limit?.text) + option("budget", retry.budget?.text)
            line += option("min", retry.minRate?.text) + option("ttl", retry.ttl?.text)
            line += option("backoff", retry.backoff?.text)
            if !retry.methods.isEmpty { line += " methods " + retry.methods.map(\.text).joined(separator: ", ") }
            return line
        case .accrual(let accrual):
            var line = "accrual "
            switch accrual.mode {
            case .consecutive(let count): line += "consecutive \(count.text)"
            case .successRate(let rate): line += "success-rate \(rate.text)"
            }
            line += option("window", accrual.window?.text) + option("min-requests", accrual.minRequests?.text)
            line += option("backoff", accrual.backoff?.text) + option("max-ejection", accrual.maxEjection?.text)
            if accrual.failFast != nil { line += " fail-fast" }
            return line
        case .balance(let balance):
            return "balance \(balance.algorithm.text)" + option("decay", balance.decay?.text)
                + option("default-rtt", balance.defaultRTT?.text) + option("slow-start", balance.slowStart?.text)
        case .classify(let classify):
            return "classify " + classify.selectors.map(\.text).joined(separator: ", ") + " as \(classify.responseClass.text)"
        case .upgrade(let protocols):
            return "upgrade " + protocols.map(\.text).joined(separator: ", ")
        case .upstreamProtocol(let name):
            return "protocol " + name.text
        case .off(let keyword):
            return keyword.text + " none"
        }
    }

    private static func option(_ name: String, _ value: String?) -> String {
        value.map { " \(name) \($0)" } ?? ""
    }

    /// A RouteLang string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
