import Yams

// MARK: - Policies

extension YAMLReader {
    mutating func policies(_ node: Node, _ what: String, allowed: [String]) -> [PolicyItem]? {
        guard let pairs = mapping(node, what, allowed: allowed) else { return nil }
        return policyItems(pairs)
    }

    mutating func policyItems(_ pairs: [(key: String, keyRange: SourceRange, value: Node)]) -> [PolicyItem] {
        var items: [PolicyItem] = []
        for (key, keyRange, value) in pairs {
            let itemRange = keyRange.through(range(of: value))
            if PolicyItem.switchable.contains(key), case .scalar(let scalar) = value, scalar.string == "none" {
                items.append(PolicyItem(kind: .off(Spanned(key, text: key, range: keyRange)), range: itemRange))
                continue
            }
            switch key {
            case "timeout", "attempt-timeout":
                if let duration = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration) {
                    items.append(PolicyItem(kind: key == "timeout" ? .timeout(duration) : .attemptTimeout(duration), range: itemRange))
                }
            case "retry":
                if let retry = retry(value) { items.append(PolicyItem(kind: .retry(retry), range: itemRange)) }
            case "accrual":
                if let accrual = accrual(value) { items.append(PolicyItem(kind: .accrual(accrual), range: itemRange)) }
            case "balance":
                if let balance = balance(value) { items.append(PolicyItem(kind: .balance(balance), range: itemRange)) }
            case "protocol":
                if let name = string(value, "an upstream protocol") {
                    if UpstreamProtocol(rawValue: name.value) != nil {
                        items.append(PolicyItem(kind: .upstreamProtocol(name), range: itemRange))
                    } else {
                        parser.error(.unknownProtocol, "unknown upstream protocol `\(name.value)`", at: name.range,
                                     help: Suggestion.help(for: name.value, among: UpstreamProtocol.names)
                                        ?? "protocols are: " + UpstreamProtocol.names.joined(separator: ", "))
                    }
                }
            case "upgrade":
                let protocols = (sequence(value, "a list of protocols") ?? []).compactMap { string($0, "a protocol") }
                if !protocols.isEmpty { items.append(PolicyItem(kind: .upgrade(protocols), range: itemRange)) }
            default:
                for rule in sequence(value, "classification rules") ?? [] {
                    if let classify = classify(rule) {
                        items.append(PolicyItem(kind: .classify(classify), range: range(of: rule)))
                    }
                }
            }
        }
        return items
    }

    mutating func classes(_ node: Node, _ what: String) -> [Spanned<RetryClass>]? {
        var classes: [Spanned<RetryClass>] = []
        for item in sequence(node, what) ?? [] {
            let text = string(item, "a class")?.value ?? ""
            let code: DiagnosticCode = text.first?.isNumber == true ? .invalidStatusClass : .unknownRetryClass
            guard let value = self.value(item, "a class", code: code, LiteralParser.retryClass) else { return nil }
            classes.append(value)
        }
        return classes.isEmpty ? nil : classes
    }

    mutating func retry(_ node: Node) -> RetrySyntax? {
        guard let pairs = mapping(node, "retry", allowed: YAMLSchema.retry) else { return nil }
        var classes: [Spanned<RetryClass>]?
        var retry = RetrySyntax(classes: [], methods: [])
        for (key, _, value) in pairs {
            switch key {
            case "on": classes = self.classes(value, "retry classes")
            case "limit": retry.limit = self.value(value, "a retry count", code: .invalidInteger, LiteralParser.integer)
            case "budget": retry.budget = self.value(value, "a percentage", code: .invalidPercentage, LiteralParser.percentage)
            case "min": retry.minRate = self.value(value, "a rate", code: .invalidRate, LiteralParser.rate)
            case "ttl": retry.ttl = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration)
            case "backoff": retry.backoff = self.value(value, "a duration range", code: .invalidDurationRange, LiteralParser.durationRange)
            default: retry.methods = methods(value) ?? []
            }
        }
        guard let classes = require(classes, "on", in: "retry", at: node) else { return nil }
        retry.classes = classes
        return retry
    }

    mutating func accrual(_ node: Node) -> AccrualSyntax? {
        guard let pairs = mapping(node, "accrual", allowed: YAMLSchema.accrual) else { return nil }
        var mode: AccrualSyntax.Mode?
        var accrual = AccrualSyntax(mode: .consecutive(Spanned(0, text: "0", range: range(of: node))))
        for (key, keyRange, value) in pairs {
            switch key {
            case "consecutive", "success-rate":
                if mode != nil {
                    parser.error(.duplicateOption, "accrual takes one of `consecutive` or `success-rate`", at: keyRange)
                }
                if key == "consecutive" {
                    mode = self.value(value, "a failure count", code: .invalidInteger, LiteralParser.integer).map(AccrualSyntax.Mode.consecutive)
                } else {
                    mode = self.value(value, "a ratio", code: .invalidPercentage, LiteralParser.ratio).map(AccrualSyntax.Mode.successRate)
                }
            case "window": accrual.window = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration)
            case "min-requests": accrual.minRequests = self.value(value, "a request count", code: .invalidInteger, LiteralParser.integer)
            case "backoff": accrual.backoff = self.value(value, "a duration range", code: .invalidDurationRange, LiteralParser.durationRange)
            case "fail-fast": accrual.failFast = bool(value, "fail-fast") == true ? keyRange : nil
            default: accrual.maxEjection = self.value(value, "a percentage", code: .invalidPercentage, LiteralParser.percentage)
            }
        }
        guard let mode = require(mode, "consecutive` or `success-rate", in: "accrual", at: node) else { return nil }
        accrual.mode = mode
        return accrual
    }

    mutating func balance(_ node: Node) -> BalanceSyntax? {
        guard let pairs = mapping(node, "balance", allowed: YAMLSchema.balance) else { return nil }
        var algorithm: Spanned<String>?
        var decay: Spanned<Duration>?
        var defaultRTT: Spanned<Duration>?
        var slowStart: Spanned<Duration>?
        for (key, _, value) in pairs {
            switch key {
            case "algorithm":
                algorithm = string(value, "a balancer")
                if let name = algorithm, !BalancePolicy.algorithms.contains(name.value) {
                    parser.error(.unknownBalancer, "unknown balancer `\(name.value)`", at: name.range,
                                 help: Suggestion.help(for: name.value, among: BalancePolicy.algorithms)
                                    ?? "balancers are: " + BalancePolicy.algorithms.joined(separator: ", "))
                    algorithm = nil
                }
            case "decay": decay = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration)
            case "slow-start": slowStart = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration)
            default: defaultRTT = self.value(value, "a duration", code: .invalidDuration, LiteralParser.duration)
            }
        }
        guard let algorithm = require(algorithm, "algorithm", in: "balance", at: node) else { return nil }
        if algorithm.value != "peak-ewma", decay != nil || defaultRTT != nil {
            parser.error(.unknownOption, "`decay` and `default-rtt` apply to `peak-ewma` only", at: algorithm.range)
        }
        return BalanceSyntax(algorithm: algorithm, decay: decay, defaultRTT: defaultRTT, slowStart: slowStart)
    }

    mutating func classify(_ node: Node) -> ClassifySyntax? {
        guard let pairs = mapping(node, "a classification rule", allowed: YAMLSchema.classify) else { return nil }
        var selectors: [Spanned<RetryClass>]?
        var responseClass: Spanned<ResponseClass>?
        for (key, _, value) in pairs {
            if key == "on" {
                selectors = classes(value, "status classes")
            } else if let name = string(value, "a response class") {
                if let known = ResponseClass(rawValue: name.value) {
                    responseClass = Spanned(known, text: name.value, range: name.range)
                } else {
                    let names = ResponseClass.allCases.map(\.rawValue)
                    parser.error(.unknownResponseClass, "unknown response class `\(name.value)`", at: name.range,
                                 help: Suggestion.help(for: name.value, among: names) ?? "classes are: " + names.joined(separator: ", "))
                }
            }
        }
        guard let selectors = require(selectors, "on", in: "a classification rule", at: node),
              let responseClass = require(responseClass, "as", in: "a classification rule", at: node) else { return nil }
        return ClassifySyntax(selectors: selectors, responseClass: responseClass)
    }
}
