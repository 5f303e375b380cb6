// MARK: - Policies

extension Checker {
    /// Checks `defaults { }` and remembers the merged defaults for the routes.
    mutating func checkPolicies() {
        var items: [PolicyItem]?
        for case .defaults(let block) in file.statements {
            checkPolicyItems(block.items, in: "defaults")
            items = items ?? block.items
        }
        defaults = Compiler.merge(.builtIn, items ?? [])
        if let items { checkMergedPolicy(defaults, items: items, owner: "defaults") }
    }

    /// Per-item checks: no repeated item, values in range, ranges ordered.
    mutating func checkPolicyItems(_ items: [PolicyItem], in owner: String) {
        var seen: [String: SourceRange] = [:]
        for item in items {
            if item.keyword != "classify" {
                if let first = seen[item.keyword] {
                    error(.duplicateOption, "`\(item.keyword)` is given twice in \(owner)", at: item.range,
                          notes: [Diagnostic.Note("first given here", at: first)])
                }
                seen[item.keyword] = seen[item.keyword] ?? item.range
            }
            switch item.kind {
            case .timeout(let duration), .attemptTimeout(let duration):
                requirePositive(duration, item.keyword)
            case .retry(let retry):
                if let limit = retry.limit, limit.value > 100 {
                    error(.valueOutOfRange, "retry limit \(limit.value) is too high", at: limit.range,
                          help: "at most 100 retries; budgets cap retry storms, not limits")
                }
                if let budget = retry.budget { requirePercentage(budget, "retry budget") }
                if let ttl = retry.ttl { requirePositive(ttl, "ttl") }
                if let backoff = retry.backoff { requireOrdered(backoff) }
            case .accrual(let accrual):
                switch accrual.mode {
                case .consecutive(let count) where count.value < 1:
                    error(.valueOutOfRange, "accrual needs at least 1 consecutive failure", at: count.range)
                case .successRate(let rate) where rate.value <= 0 || rate.value > 1:
                    error(.valueOutOfRange, "success rate `\(rate.text)` is not between 0 and 1", at: rate.range,
                          help: "write a ratio such as `0.9` or `90%`")
                default:
                    break
                }
                if let window = accrual.window { requirePositive(window, "window") }
                if let minRequests = accrual.minRequests, minRequests.value < 1 {
                    error(.valueOutOfRange, "min-requests must be at least 1", at: minRequests.range)
                }
                if let backoff = accrual.backoff { requireOrdered(backoff) }
                if let maxEjection = accrual.maxEjection { requirePercentage(maxEjection, "max-ejection") }
                if case .consecutive = accrual.mode {
                    for range in [accrual.window?.range, accrual.minRequests?.range].compactMap({ $0 }) {
                        error(.unknownOption, "`window` and `min-requests` apply to `success-rate` accrual only", at: range)
                    }
                }
            case .balance(let balance):
                if let decay = balance.decay { requirePositive(decay, "decay") }
                if let rtt = balance.defaultRTT { requirePositive(rtt, "default-rtt") }
                if let slowStart = balance.slowStart { requirePositive(slowStart, "slow-start") }
            case .upgrade(let protocols):
                checkUpgrade(protocols)
            case .classify:
                break
            case .upstreamProtocol, .off:
                // The parser accepts only the known names.
                break
            }
        }
    }

    /// Checks on the policy a route (or the defaults) ends up with.
    mutating func checkMergedPolicy(_ policy: Policy, items: [PolicyItem], owner: String) {
        if let timeout = policy.timeout, let attempt = policy.attemptTimeout, attempt >= timeout {
            let range = items.first { $0.keyword == "attempt-timeout" }?.range
                ?? items.first { $0.keyword == "timeout" }?.range ?? items.first?.range ?? .synthesized
            error(.contradictoryTimeouts,
                  "attempt-timeout \(DurationFormat.show(attempt)) is not shorter than timeout \(DurationFormat.show(timeout)) in \(owner)",
                  at: range, help: "the whole-request timeout includes every attempt; "
                    + "make attempt-timeout shorter so a retry can still run")
        }
        if policy.attemptTimeout == nil, policy.retry.classes.contains(.attemptTimeout),
           let retryItem = items.first(where: { $0.keyword == "retry" }) {
            warning(.retryNeverFires, "`retry on attempt-timeout` never fires: \(owner) sets no attempt-timeout",
                    at: retryItem.range, help: "add e.g. `attempt-timeout 500ms`")
        }
        if policy.upstream == .http1 { warnAboutGRPC(items) }
    }

    /// gRPC statuses come from gRPC servers, which speak HTTP/2 only: over
    /// `protocol http1` (the default) a class naming one never matches.
    mutating func warnAboutGRPC(_ items: [PolicyItem]) {
        for item in items {
            let classes: [Spanned<RetryClass>]
            switch item.kind {
            case .retry(let retry): classes = retry.classes
            case .classify(let classify): classes = classify.selectors
            default: continue
            }
            for spanned in classes {
                guard case .grpc = spanned.value else { continue }
                warning(.grpcClassUnused, "gRPC status `\(spanned.text)` never matches over HTTP/1.1: gRPC servers answer over HTTP/2",
                        at: spanned.range, help: "add `protocol h2` (or `protocol auto` for HTTP/2 clients)")
            }
        }
    }

    // MARK: Value checks

    mutating func requirePositive(_ duration: Spanned<Duration>, _ what: String) {
        if duration.value <= .zero {
            error(.valueOutOfRange, "\(what) must be longer than zero", at: duration.range)
        }
    }

    mutating func requirePercentage(_ value: Spanned<Double>, _ what: String) {
        if value.value > 100 {
            error(.valueOutOfRange, "\(what) `\(value.text)` is over 100%", at: value.range)
        }
    }

    mutating func requireOrdered(_ range: Spanned<DurationRange>) {
        if range.value.lower > range.value.upper {
            error(.invertedRange, "backoff `\(range.text)` starts above its maximum", at: range.range,
                  help: "write `MIN..MAX` with MIN no greater than MAX")
        }
    }

    /// Protocol names are tokens (RFC 9110 section 7.8); `none` stands
    /// alone; `h2c` is refused because an h2c upgrade is never forwarded.
    mutating func checkUpgrade(_ protocols: [Spanned<String>]) {
        for name in protocols {
            let lower = name.value.lowercased()
            if lower == "none", protocols.count > 1 {
                error(.invalidUpgrade, "`none` cannot be listed with other protocols", at: name.range, help: "write `upgrade none` alone")
            } else if lower == "h2c" {
                error(.invalidUpgrade, "h2c upgrades are never forwarded", at: name.range,
                      help: "clients that speak HTTP/2 in clear text use prior knowledge instead")
            } else if !LiteralParser.isToken(name.value) || name.value.contains("/") {
                error(.invalidUpgrade, "`\(name.value)` is not a protocol name", at: name.range, help: "write a token such as `websocket`")
            }
        }
    }
}
