// MARK: - EndpointFile

/// The format of a `files` namer's service file (Linkerd `io.l5d.fs`):
/// one endpoint per line, `HOST PORT [WEIGHT]` or Linkerd's
/// `HOST PORT * WEIGHT`, `#` comments and blank lines ignored. A bad line
/// is reported and skipped, never fatal.
public enum EndpointFile {
    public struct Parsed: Sendable, Hashable {
        public var endpoints: [Endpoint]
        /// `line N: problem` for each line that was skipped.
        public var problems: [String]
    }

    public static func parse(_ text: String) -> Parsed {
        var endpoints: [Endpoint] = []
        var problems: [String] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            if fields.count == 4, fields[2] == "*" { fields.remove(at: 2) }
            guard fields.count == 2 || fields.count == 3 else {
                problems.append("line \(index + 1): expected `HOST PORT [WEIGHT]` or `HOST PORT * WEIGHT`")
                continue
            }
            guard let port = Int(fields[1]), (1...65535).contains(port) else {
                problems.append("line \(index + 1): invalid port `\(fields[1])`")
                continue
            }
            var weight = 1.0
            if fields.count == 3 {
                guard let parsed = Double(fields[2]), parsed >= 0, parsed.isFinite else {
                    problems.append("line \(index + 1): invalid weight `\(fields[2])`")
                    continue
                }
                weight = parsed
            }
            endpoints.append(Endpoint(host: String(fields[0]), port: port, weight: weight))
        }
        return Parsed(endpoints: endpoints, problems: problems)
    }
}
