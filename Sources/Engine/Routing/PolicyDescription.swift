import RouteLang

// MARK: - PolicyDescription

/// A compiled policy written back as RouteLang lines, for explanations.
public enum PolicyDescription {
    public static func lines(_ policy: Policy) -> [String] {
        var lines: [String] = []
        lines.append("timeout " + (policy.timeout.map(DurationFormat.show) ?? "none"))
        lines.append("attempt-timeout " + (policy.attemptTimeout.map(DurationFormat.show) ?? "none"))
        lines.append(retryLine(policy.retry))
        lines.append(accrualLine(policy.accrual))
        var balance: String
        switch policy.balance {
        case .peakEWMA(let decay, let rtt): balance = "balance peak-ewma decay \(DurationFormat.show(decay)) default-rtt \(DurationFormat.show(rtt))"
        case .leastLoaded: balance = "balance least-loaded"
        case .roundRobin: balance = "balance round-robin"
        }
        if let slowStart = policy.slowStart { balance += " slow-start \(DurationFormat.show(slowStart))" }
        lines.append(balance)
        for rule in policy.classification {
            lines.append("classify \(rule.selector) as \(rule.responseClass.rawValue)")
        }
        lines.append("upgrade " + (policy.upgrades.isEmpty ? "none" : policy.upgrades.joined(separator: ", ")))
        return lines
    }

    static func retryLine(_ retry: RetryPolicy) -> String {
        guard !retry.classes.isEmpty else { return "retry none" }
        var line = "retry on " + retry.classes.map(\.description).joined(separator: ", ")
            + " limit \(retry.limit) budget \(WeightFormat.shortest(retry.budget.percent))%"
            + " min \(WeightFormat.shortest(retry.budget.minPerSecond))/s ttl \(DurationFormat.show(retry.budget.ttl))"
        if let backoff = retry.backoff { line += " backoff \(DurationFormat.show(backoff.lower))..\(DurationFormat.show(backoff.upper))" }
        if !retry.methods.isEmpty { line += " methods " + retry.methods.joined(separator: ", ") }
        return line
    }

    static func accrualLine(_ accrual: AccrualPolicy) -> String {
        var line: String
        switch accrual.mode {
        case .disabled: return "accrual none"
        case .consecutive(let count): line = "accrual consecutive \(count)"
        case .successRate(let rate, let window, let minRequests):
            line = "accrual success-rate \(WeightFormat.shortest(rate)) window \(DurationFormat.show(window)) min-requests \(minRequests)"
        }
        return line + " backoff \(DurationFormat.show(accrual.backoff.lower))..\(DurationFormat.show(accrual.backoff.upper))"
            + " max-ejection \(WeightFormat.shortest(accrual.maxEjectionPercent))%" + (accrual.failFast ? " fail-fast" : "")
    }
}
