import RouteLang

// MARK: - PolicyDescription

/// A compiled policy written back as RouteLang lines, for explanations.
public enum PolicyDescription {
    public static func lines(_ policy: Policy) -> [String] {
        var lines: [String] = []
        lines.append("timeout " + (policy.timeout.map(DurationFormat.show) ?? "none"))
        lines.append("attempt-timeout " + (policy.attemptTimeout.map(DurationFormat.show) ?? "none"))
        let retry = policy.retry
        var retryLine = "retry on " + retry.classes.map(\.description).joined(separator: ", ")
            + " limit \(retry.limit) budget \(WeightFormat.shortest(retry.budget.percent))%"
            + " min \(WeightFormat.shortest(retry.budget.minPerSecond))/s ttl \(DurationFormat.show(retry.budget.ttl))"
        if let backoff = retry.backoff { retryLine += " backoff \(DurationFormat.show(backoff.lower))..\(DurationFormat.show(backoff.upper))" }
        if !retry.methods.isEmpty { retryLine += " methods " + retry.methods.joined(separator: ", ") }
        lines.append(retryLine)
        let accrual = policy.accrual
        var accrualLine: String
        switch accrual.mode {
        case .consecutive(let count): accrualLine = "accrual consecutive \(count)"
        case .successRate(let rate, let window, let minRequests):
            accrualLine = "accrual success-rate \(WeightFormat.shortest(rate)) window \(DurationFormat.show(window)) min-requests \(minRequests)"
        }
        accrualLine += " backoff \(DurationFormat.show(accrual.backoff.lower))..\(DurationFormat.show(accrual.backoff.upper))"
            + " max-ejection \(WeightFormat.shortest(accrual.maxEjectionPercent))%" + (accrual.failFast ? " fail-fast" : "")
        lines.append(accrualLine)
        switch policy.balance {
        case .peakEWMA(let decay, let rtt): lines.append("balance peak-ewma decay \(DurationFormat.show(decay)) default-rtt \(DurationFormat.show(rtt))")
        case .leastLoaded: lines.append("balance least-loaded")
        case .roundRobin: lines.append("balance round-robin")
        }
        for rule in policy.classification {
            lines.append("classify \(rule.selector) as \(rule.responseClass.rawValue)")
        }
        lines.append("upgrade " + (policy.upgrades.isEmpty ? "none" : policy.upgrades.joined(separator: ", ")))
        return lines
    }
}
