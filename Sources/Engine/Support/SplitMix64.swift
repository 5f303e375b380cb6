// MARK: - SplitMix64

/// A fast, non-cryptographic random stream for the request path (balancer
/// draws, retry jitter, sampling, request ids), one per event loop. The
/// system generator costs a `getrandom` system call per draw, and the
/// request path draws twice per request; none of these draws needs to be
/// unpredictable, only well spread. Seeded once from the system.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
