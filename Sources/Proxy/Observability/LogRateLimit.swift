// MARK: - LogRateLimit

/// Caps the info lines an event loop writes about failed requests: a
/// backend that fails thousands of requests a second must not turn the
/// log into the bottleneck (metrics and the access log count them all).
/// Past the cap in a second, lines go to debug; the next info line says
/// how many were held back. Pure state, injected clock, one per loop.
struct LogRateLimit {
    let perSecond: Int
    private var windowStart: UInt64 = 0
    private var written = 0
    private var held = 0

    init(perSecond: Int) {
        self.perSecond = perSecond
    }

    /// Whether a line at `now` (nanoseconds) may be written at info; when it
    /// may, how many were held back before it.
    mutating func admit(now: UInt64) -> (info: Bool, heldBack: Int) {
        if now >= windowStart + 1_000_000_000 {
            windowStart = now
            written = 0
        }
        guard written < perSecond else {
            held += 1
            return (false, 0)
        }
        written += 1
        defer { held = 0 }
        return (true, held)
    }
}
