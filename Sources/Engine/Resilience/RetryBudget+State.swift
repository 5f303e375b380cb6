import RouteLang

// MARK: - RetryBudgetState

/// Finagle's token retry budget (`RetryBudget(ttl, minRetriesPerSec,
/// percentCanRetry)`, the one Linkerd 1 configures): every request deposits
/// a token, every retry withdraws `1 / percent` of one; deposits expire
/// after `ttl`; a reserve of `minPerSecond x ttl` retries is always there,
/// so a quiet destination can still retry. Times are nanoseconds of an
/// injected monotonic clock; one per destination.
public struct RetryBudgetState: Sendable {
    /// Tokens in fixed-point units, as Finagle scales them.
    static let scale = 1_000
    static let slices = 10

    let deposit: Int
    let withdrawal: Int
    let reserve: Int
    let sliceNanoseconds: UInt64
    /// Net tokens put in each time slice of the window, newest last.
    private var window: [Int]
    private var windowStart: UInt64

    public init(_ budget: RetryBudget, now: UInt64) {
        let ratio = budget.percent / 100
        deposit = Self.scale
        withdrawal = ratio <= 0 ? Self.scale + 1 : Int((Double(Self.scale) / ratio).rounded())
        let ttlSeconds = Double(budget.ttl.components.seconds) + Double(budget.ttl.components.attoseconds) / 1e18
        reserve = Int((budget.minPerSecond * ttlSeconds * Double(withdrawal)).rounded())
        let ttlNanos = UInt64(max(1, ttlSeconds * 1e9))
        sliceNanoseconds = max(1, ttlNanos / UInt64(Self.slices))
        window = Array(repeating: 0, count: Self.slices)
        windowStart = now
    }

    /// A request was made.
    public mutating func deposit(now: UInt64) {
        advance(to: now)
        window[window.count - 1] += deposit
    }

    /// Takes what a retry costs when the budget has it.
    public mutating func tryWithdraw(now: UInt64) -> Bool {
        advance(to: now)
        guard reserve + window.reduce(0, +) >= withdrawal else { return false }
        window[window.count - 1] -= withdrawal
        return true
    }

    /// Retries the budget allows right now.
    public mutating func balance(now: UInt64) -> Int {
        advance(to: now)
        return max(0, reserve + window.reduce(0, +)) / withdrawal
    }

    /// Drops slices older than the ttl. `windowStart` is when the newest
    /// slice began.
    private mutating func advance(to now: UInt64) {
        guard now >= windowStart + sliceNanoseconds else { return }
        let passed = (now - windowStart) / sliceNanoseconds
        let shift = Int(min(UInt64(Self.slices), passed))
        window.removeFirst(shift)
        window.append(contentsOf: repeatElement(0, count: shift))
        windowStart += passed * sliceNanoseconds
    }
}
