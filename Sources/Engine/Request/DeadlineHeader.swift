// MARK: - DeadlineHeader

/// Linkerd 1's `l5d-ctx-deadline`: `"<timestamp> <deadline>"`, both in
/// nanoseconds since the Unix epoch (Finagle's `Deadline` as its
/// `Headers.Ctx.Deadline` writes it). Several fields combine to the
/// strictest; a value that does not parse is ignored, as Linkerd does.
/// Wall-clock times cross machines; inside the proxy a deadline is a time
/// of the monotonic clock, converted once on the way in and out.
public enum DeadlineHeader {
    /// The strictest deadline the values carry, in epoch nanoseconds.
    public static func parse(_ values: [String]) -> Int64? {
        var strictest: Int64?
        for value in values {
            let parts = value.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, Int64(parts[0]) != nil, let deadline = Int64(parts[1]) else { continue }
            strictest = min(strictest ?? .max, deadline)
        }
        return strictest
    }

    /// The monotonic deadline of a propagated one (clamped to now when it
    /// already passed, so it is seen as passed).
    public static func monotonic(_ wallDeadline: Int64, wallNow: Int64, monotonicNow: UInt64) -> UInt64 {
        let left = wallDeadline - wallNow
        return left <= 0 ? monotonicNow : monotonicNow + UInt64(left)
    }

    /// The field's two numbers, kept as numbers until they are written.
    public struct Value: Sendable, Hashable, CustomStringConvertible {
        /// When the value was made, and the deadline: epoch nanoseconds.
        public var timestamp: Int64
        public var deadline: Int64

        public init(timestamp: Int64, deadline: Int64) {
            self.timestamp = timestamp
            self.deadline = deadline
        }

        public var description: String { "\(timestamp) \(deadline)" }
    }

    /// The value to send for a monotonic `deadline`.
    public static func value(deadline: UInt64, wallNow: Int64, monotonicNow: UInt64) -> Value {
        let left = deadline > monotonicNow ? Int64(deadline - monotonicNow) : 0
        return Value(timestamp: wallNow, deadline: wallNow + left)
    }
}
