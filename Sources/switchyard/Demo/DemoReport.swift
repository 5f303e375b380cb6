// MARK: - DemoReport

/// Per-destination tallies of the demo's traffic and their table.
struct DemoReport {
    struct Row {
        var requests = 0
        var errors = 0
        var latencies: [Double] = []
    }

    /// Service (users, pay, …) -> backend -> row.
    var rows: [String: [String: Row]] = [:]
    var proxyErrors: [String: Int] = [:]
    /// The proxy's attempt counters over the phase.
    var counters = DemoCounters("")

    mutating func add(service: String, reply: DemoClient.Reply, milliseconds: Double) {
        guard let backend = reply.backend else {
            proxyErrors["\(reply.status) \(reply.error ?? "no answer")", default: 0] += 1
            return
        }
        rows[service, default: [:]][backend, default: Row()].requests += 1
        rows[service, default: [:]][backend, default: Row()].latencies.append(milliseconds)
        if reply.status >= 500 { rows[service, default: [:]][backend, default: Row()].errors += 1 }
    }

    func table(notes: [String: String]) -> String {
        var out = "  service  destination             requests   share   p50 ms   p99 ms  attempts  retries  evicted   errors\n"
        for service in rows.keys.sorted() {
            let backends = rows[service]!
            let total = backends.values.reduce(0) { $0 + $1.requests }
            for (index, name) in backends.keys.sorted().enumerated() {
                let row = backends[name]!
                let sorted = row.latencies.sorted()
                let share = total > 0 ? Double(row.requests) / Double(total) * 100 : 0
                out += "  " + pad(index == 0 ? service : "", 8) + " " + pad("/#/disco/\(name)", 23)
                    + lpad(String(row.requests), 9) + lpad(format(share) + "%", 8)
                    + lpad(format(percentile(sorted, 0.5)), 9) + lpad(format(percentile(sorted, 0.99)), 9)
                    + lpad(String(counters.value("attempts", "/#/disco/\(name)")), 10)
                    + lpad(String(counters.value("retries", "/#/disco/\(name)")), 9)
                    + lpad(String(counters.value("evictions", "/#/disco/\(name)")), 9)
                    + lpad(String(row.errors), 9) + "\n"
            }
            if let note = notes[service] { out += "           \(note)\n" }
        }
        for (error, count) in proxyErrors.sorted(by: { $0.key < $1.key }) {
            out += "  answered by the proxy: \(count) x \(error)\n"
        }
        return out
    }

    func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    func lpad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

// MARK: - DemoCounters

/// The proxy's per-destination attempt counters, read from its Prometheus
/// exposition (`switchyard_<name>_total{dst="…"} N`).
struct DemoCounters {
    var values: [String: [String: Int]] = [:]

    init(_ exposition: String) {
        for line in exposition.split(separator: "\n") where line.hasPrefix("switchyard_") && !line.hasPrefix("#") {
            guard let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}"),
                  let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let name = String(line[line.index(line.startIndex, offsetBy: 11)..<brace]).replacingOccurrences(of: "_total", with: "")
            let labels = line[line.index(after: brace)..<close]
            guard let start = labels.range(of: "dst=\"")?.upperBound, let end = labels[start...].firstIndex(of: "\"") else { continue }
            values[name, default: [:]][String(labels[start..<end]), default: 0] += Int(value)
        }
    }

    func value(_ name: String, _ destination: String) -> Int {
        values[name]?[destination] ?? 0
    }

    /// The counts since `earlier`.
    func since(_ earlier: DemoCounters) -> DemoCounters {
        var result = self
        for (name, byDestination) in earlier.values {
            for (destination, count) in byDestination { result.values[name]?[destination]? -= count }
        }
        return result
    }
}
