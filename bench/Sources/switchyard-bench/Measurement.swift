// MARK: - Measurement

/// Repeats a closure and reports the median and spread of its wall time.
struct Measurement {
    var name: String
    var samples: [Duration]

    init(_ name: String, iterations: Int, warmup: Int = 2, _ body: () -> Void) {
        for _ in 0..<warmup { body() }
        let clock = ContinuousClock()
        samples = (0..<iterations).map { _ in clock.measure(body) }.sorted()
        self.name = name
    }

    func quantile(_ q: Double) -> Duration {
        samples[min(samples.count - 1, Int((Double(samples.count - 1) * q).rounded()))]
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(Int((millis * 100).rounded()) / 100) + "." + String(format2(Int((millis * 100).rounded()) % 100))
    }

    private static func format2(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    var report: String {
        "\(name): median \(Self.milliseconds(quantile(0.5))) ms, min \(Self.milliseconds(samples[0])) ms, "
            + "p90 \(Self.milliseconds(quantile(0.9))) ms, max \(Self.milliseconds(samples[samples.count - 1])) ms "
            + "(\(samples.count) runs)"
    }
}
