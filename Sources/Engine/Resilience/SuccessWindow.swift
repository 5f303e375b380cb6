// MARK: - SuccessWindow

/// Successes and outcomes over the last `window`, in ten slices: the success
/// rate of `success-rate R window D` (Finagle's successRateWithinDuration).
public struct SuccessWindow: Sendable, Hashable {
    static let slices = 10
    private var successes = [Int](repeating: 0, count: SuccessWindow.slices)
    private var totals = [Int](repeating: 0, count: SuccessWindow.slices)
    /// When the newest slice began.
    private var sliceStart: UInt64 = 0

    public init() {}

    public mutating func record(success: Bool, now: UInt64, window: UInt64) {
        advance(to: now, slice: max(1, window / UInt64(Self.slices)))
        totals[Self.slices - 1] += 1
        if success { successes[Self.slices - 1] += 1 }
    }

    public var total: Int { totals.reduce(0, +) }

    /// The success rate over the window, 1 when nothing was seen.
    public var rate: Double {
        let total = self.total
        return total == 0 ? 1 : Double(successes.reduce(0, +)) / Double(total)
    }

    private mutating func advance(to now: UInt64, slice: UInt64) {
        guard now >= sliceStart + slice else { return }
        let passed = (now - sliceStart) / slice
        let shift = Int(min(UInt64(Self.slices), passed))
        successes.removeFirst(shift)
        successes.append(contentsOf: repeatElement(0, count: shift))
        totals.removeFirst(shift)
        totals.append(contentsOf: repeatElement(0, count: shift))
        sliceStart += passed * slice
    }
}
