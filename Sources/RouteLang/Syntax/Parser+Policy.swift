// MARK: - Policies

extension Parser {
    /// `policy = "timeout" duration | "attempt-timeout" duration | retry | accrual | balance | classify | upgrade | protocol ;`
    mutating func parsePolicyItem(inRoute: Bool) -> PolicyItem? {
        guard let keyword = expectWord("a policy (" + PolicyItem.keywords.joined(separator: ", ") + ")") else { return nil }
        let kind: PolicyItem.Kind?
        if PolicyItem.switchable.contains(keyword.text), current.kind == .word, current.text == "none" {
            _ = advance()
            return PolicyItem(kind: .off(Spanned(keyword.text, text: keyword.text, range: keyword.range)),
                              range: keyword.range.through(previousRange))
        }
        switch keyword.text {
        case "timeout":
            kind = wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration).map(PolicyItem.Kind.timeout)
        case "attempt-timeout":
            kind = wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration).map(PolicyItem.Kind.attemptTimeout)
        case "retry": kind = parseRetry().map(PolicyItem.Kind.retry)
        case "accrual": kind = parseAccrual().map(PolicyItem.Kind.accrual)
        case "balance": kind = parseBalance().map(PolicyItem.Kind.balance)
        case "classify": kind = parseClassify().map(PolicyItem.Kind.classify)
        case "upgrade": kind = parseUpgrade().map(PolicyItem.Kind.upgrade)
        case "protocol": kind = parseProtocol().map(PolicyItem.Kind.upstreamProtocol)
        default:
            let candidates = inRoute ? ["when", "to", "dtab"] + PolicyItem.keywords : PolicyItem.keywords
            error(.unknownPolicy, "unknown policy `\(keyword.text)`", at: keyword.range,
                  help: Suggestion.help(for: keyword.text, among: candidates)
                    ?? "policies are: " + PolicyItem.keywords.joined(separator: ", "))
            return nil
        }
        guard let kind else { return nil }
        return PolicyItem(kind: kind, range: keyword.range.through(previousRange))
    }

    // MARK: Options

    /// Reads `option value` pairs while the next word is one of `known` (on
    /// any line) or any word on the same line (which is then an error).
    /// `handle` parses the value; a repeated option is an error.
    mutating func parseOptions(_ known: [String], of item: String,
                               _ handle: (inout Parser, Token) -> Bool) -> Bool {
        var seen: [String: SourceRange] = [:]
        while current.kind == .word, known.contains(current.text) || !startsNewLine(after: previousRange) {
            let option = advance()
            guard known.contains(option.text) else {
                error(.unknownOption, "unknown \(item) option `\(option.text)`", at: option.range,
                      help: Suggestion.help(for: option.text, among: known)
                        ?? "\(item) options are: " + known.joined(separator: ", "))
                return false
            }
            if let first = seen[option.text] {
                error(.duplicateOption, "`\(option.text)` is given twice in this \(item)", at: option.range,
                      notes: [Diagnostic.Note("first given here", at: first)])
                return false
            }
            seen[option.text] = option.range
            guard handle(&self, option) else { return false }
        }
        return true
    }

    /// `class_list = class { "," class } ;`
    mutating func parseClassList(_ what: String) -> [Spanned<RetryClass>]? {
        var classes: [Spanned<RetryClass>] = []
        repeat {
            guard let token = expectWord(what) else { return nil }
            let code: DiagnosticCode = token.text.first?.isNumber == true ? .invalidStatusClass : .unknownRetryClass
            guard let value = literal(token, code: code, LiteralParser.retryClass) else { return nil }
            classes.append(value)
        } while consume(.comma) != nil || missingComma(before: LiteralParser.isRetryClass, after: classes.last?.text ?? "")
        return classes
    }

    // MARK: retry

    /// `retry = "retry" "on" class_list { retry_option } ;`
    /// `retry_option = "limit" integer | "budget" percentage | "min" rate | "ttl" duration
    ///               | "backoff" duration_range | "methods" method { "," method } ;`
    mutating func parseRetry() -> RetrySyntax? {
        guard consumeWord("on") != nil else {
            error(.expectedToken, "expected `on` after `retry`, found \(describe(current))", at: current.range,
                  help: "e.g. `retry on 5xx, connect-error limit 2`")
            return nil
        }
        guard let classes = parseClassList("a retry class") else { return nil }
        var retry = RetrySyntax(classes: classes, methods: [])
        let ok = parseOptions(RetrySyntax.options, of: "retry") { parser, option in
            switch option.text {
            case "limit": retry.limit = parser.wordLiteral("a retry count", code: .invalidInteger, LiteralParser.integer)
                return retry.limit != nil
            case "budget": retry.budget = parser.wordLiteral("a percentage", code: .invalidPercentage, LiteralParser.percentage)
                return retry.budget != nil
            case "min": retry.minRate = parser.wordLiteral("a rate such as `10/s`", code: .invalidRate, LiteralParser.rate)
                return retry.minRate != nil
            case "ttl": retry.ttl = parser.wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration)
                return retry.ttl != nil
            case "backoff": retry.backoff = parser.wordLiteral("a duration range", code: .invalidDurationRange, LiteralParser.durationRange)
                return retry.backoff != nil
            default:
                guard let methods = parser.parseMethods() else { return false }
                retry.methods = methods
                return true
            }
        }
        return ok ? retry : nil
    }

    /// `protocol = "protocol" ( "http1" | "h2" | "auto" ) ;`
    mutating func parseProtocol() -> Spanned<String>? {
        guard let word = expectWord("an upstream protocol (" + UpstreamProtocol.names.joined(separator: ", ") + ")") else { return nil }
        guard UpstreamProtocol(rawValue: word.text) != nil else {
            error(.unknownProtocol, "unknown upstream protocol `\(word.text)`", at: word.range,
                  help: Suggestion.help(for: word.text, among: UpstreamProtocol.names)
                    ?? "protocols are: " + UpstreamProtocol.names.joined(separator: ", "))
            return nil
        }
        return Spanned(word.text, text: word.text, range: word.range)
    }

    /// `upgrade = "upgrade" ( "none" | protocol { "," protocol } ) ;`
    mutating func parseUpgrade() -> [Spanned<String>]? {
        var protocols: [Spanned<String>] = []
        repeat {
            guard let token = expectWord("a protocol such as `websocket`, or `none`") else { return nil }
            protocols.append(Spanned(token.text, text: token.text, range: token.range))
        } while consume(.comma) != nil
        return protocols
    }

    /// `method = token ;` upper-case by convention; checked as an HTTP token.
    mutating func parseMethods() -> [Spanned<String>]? {
        var methods: [Spanned<String>] = []
        repeat {
            guard let token = expectWord("an HTTP method") else { return nil }
            guard LiteralParser.isToken(token.text), token.text == token.text.uppercased() else {
                error(.invalidMethod, "invalid HTTP method `\(token.text)`", at: token.range,
                      help: token.text.uppercased() != token.text && LiteralParser.isToken(token.text)
                        ? "methods are case-sensitive; write `\(token.text.uppercased())`" : nil)
                return nil
            }
            methods.append(Spanned(token.text, text: token.text, range: token.range))
        } while consume(.comma) != nil || missingComma(before: { LiteralParser.isToken($0) && $0 == $0.uppercased() && $0.first?.isLetter == true },
                                                       after: methods.last?.text ?? "")
        return methods
    }

    // MARK: accrual

    /// `accrual = "accrual" ( "consecutive" integer | "success-rate" ratio ) { accrual_option } ;`
    /// `accrual_option = "window" duration | "min-requests" integer | "backoff" duration_range | "max-ejection" percentage | "fail-fast" ;`
    mutating func parseAccrual() -> AccrualSyntax? {
        guard let modeToken = expectWord("`consecutive N` or `success-rate R`") else { return nil }
        let mode: AccrualSyntax.Mode
        switch modeToken.text {
        case "consecutive":
            guard let count = wordLiteral("a failure count", code: .invalidInteger, LiteralParser.integer) else { return nil }
            mode = .consecutive(count)
        case "success-rate":
            guard let rate = wordLiteral("a ratio such as `0.9` or `90%`", code: .invalidPercentage, LiteralParser.ratio) else { return nil }
            mode = .successRate(rate)
        default:
            error(.unknownAccrualMode, "unknown accrual mode `\(modeToken.text)`", at: modeToken.range,
                  help: Suggestion.help(for: modeToken.text, among: AccrualSyntax.modes)
                    ?? "use `consecutive N` or `success-rate R`")
            return nil
        }
        var accrual = AccrualSyntax(mode: mode)
        let ok = parseOptions(AccrualSyntax.options, of: "accrual") { parser, option in
            switch option.text {
            case "window": accrual.window = parser.wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration)
                return accrual.window != nil
            case "min-requests": accrual.minRequests = parser.wordLiteral("a request count", code: .invalidInteger, LiteralParser.integer)
                return accrual.minRequests != nil
            case "backoff": accrual.backoff = parser.wordLiteral("a duration range", code: .invalidDurationRange, LiteralParser.durationRange)
                return accrual.backoff != nil
            case "fail-fast": accrual.failFast = option.range
                return true
            default: accrual.maxEjection = parser.wordLiteral("a percentage", code: .invalidPercentage, LiteralParser.percentage)
                return accrual.maxEjection != nil
            }
        }
        return ok ? accrual : nil
    }

    // MARK: balance

    /// `balance = "balance" ( "peak-ewma" { "decay" duration | "default-rtt" duration } | "least-loaded" | "round-robin" )`
    /// `          [ "slow-start" duration ] ;` (options in any order)
    mutating func parseBalance() -> BalanceSyntax? {
        guard let algorithm = expectWord("a balancer (" + BalancePolicy.algorithms.joined(separator: ", ") + ")") else { return nil }
        guard BalancePolicy.algorithms.contains(algorithm.text) else {
            error(.unknownBalancer, "unknown balancer `\(algorithm.text)`", at: algorithm.range,
                  help: Suggestion.help(for: algorithm.text, among: BalancePolicy.algorithms)
                    ?? "balancers are: " + BalancePolicy.algorithms.joined(separator: ", "))
            return nil
        }
        var balance = BalanceSyntax(algorithm: Spanned(algorithm.text, text: algorithm.text, range: algorithm.range))
        let options = (algorithm.text == "peak-ewma" ? BalanceSyntax.options : []) + BalanceSyntax.commonOptions
        let ok = parseOptions(options, of: algorithm.text) { parser, option in
            let value = parser.wordLiteral("a duration", code: .invalidDuration, LiteralParser.duration)
            switch option.text {
            case "decay": balance.decay = value
            case "default-rtt": balance.defaultRTT = value
            default: balance.slowStart = value
            }
            return value != nil
        }
        return ok ? balance : nil
    }

    // MARK: classify

    /// `classify = "classify" class_list "as" ( "success" | "failure" | "retryable-failure" ) ;`
    mutating func parseClassify() -> ClassifySyntax? {
        guard let selectors = parseClassList("a status class") else { return nil }
        guard consumeWord("as") != nil else {
            error(.expectedToken, "expected `as` after the classes, found \(describe(current))", at: current.range,
                  help: "e.g. `classify 429 as failure`")
            return nil
        }
        guard let classToken = expectWord("a response class") else { return nil }
        guard let responseClass = ResponseClass(rawValue: classToken.text) else {
            let names = ResponseClass.allCases.map(\.rawValue)
            error(.unknownResponseClass, "unknown response class `\(classToken.text)`", at: classToken.range,
                  help: Suggestion.help(for: classToken.text, among: names) ?? "classes are: " + names.joined(separator: ", "))
            return nil
        }
        return ClassifySyntax(selectors: selectors,
                              responseClass: Spanned(responseClass, text: classToken.text, range: classToken.range))
    }
}
