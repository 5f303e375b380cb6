// MARK: - DurationFormat

/// Durations the way RouteLang writes them: the largest unit that shows the
/// value exactly (`1500ms`, `2s`, `1m`).
public enum DurationFormat {
    public static func show(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
            where nanos % size == 0 && nanos != 0 {
            return "\(nanos / size)\(unit)"
        }
        return "\(nanos)ns"
    }
}
