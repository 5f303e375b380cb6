// MARK: - Duration in nanoseconds

extension Duration {
    /// Whole nanoseconds, never negative: the unit of the Engine's injected
    /// monotonic clocks.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
