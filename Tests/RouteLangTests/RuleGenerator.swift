import RouteLang

// MARK: - SeededGenerator

/// A small deterministic PRNG (SplitMix64) so property tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - RuleGenerator

/// Generates random, syntactically valid RouteLang files covering every
/// construct, with comments and blank lines in random places.
struct RuleGenerator {
    var random: SeededGenerator

    mutating func pick<T>(_ options: [T]) -> T {
        options[Int.random(in: 0..<options.count, using: &random)]
    }

    mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &random) < percent
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    mutating func label() -> String {
        pick(["svc", "users", "pay", "a", "b-2", "x_y", "v1.2", "search", "#", "$", "c:d", "%e"])
    }

    mutating func path(maxLabels: Int = 3) -> String {
        let count = int(0...maxLabels)
        if count == 0 { return "/" }
        return (0..<count).map { _ in "/" + label() }.joined()
    }

    mutating func comment() -> String {
        "# " + pick(["note", "why: canary", "TBD later", "résumé", "x = y; z"])
    }

    mutating func maybeTrailing() -> String {
        chance(20) ? "  " + comment() : ""
    }

    mutating func tree(depth: Int) -> String {
        if depth == 0 || chance(40) {
            return pick([path(), path(), "~", "!", "$"])
        }
        switch int(0...2) {
        case 0: return (0..<int(2...3)).map { _ in tree(depth: depth - 1) }.joined(separator: " | ")
        case 1:
            return (0..<int(2...3)).map { _ in
                (chance(60) ? pick(["1", "0.5", ".25", "2", "0.95"]) + " * " : "") + simple(depth: depth - 1)
            }.joined(separator: " & ")
        default: return "(" + tree(depth: depth - 1) + ")"
        }
    }

    mutating func simple(depth: Int) -> String {
        chance(70) ? pick([path(), "~", "!", "$"]) : "(" + tree(depth: depth) + ")"
    }

    mutating func dentry() -> String {
        var prefix = path()
        if chance(20), prefix != "/" { prefix += "/*" }
        return "\(prefix) => \(tree(depth: 2));"
    }

    mutating func quoted() -> String {
        "\"" + pick(["a.example.com", "*.example.com", "/users/", "x-env", "staging", "we\\\"ird", "tab\\tbed"]) + "\""
    }

    mutating func condition() -> String {
        let test = pick([
            "host \(quoted())", "path \(quoted())", "path prefix \(quoted())", "path regex \(quoted())",
            "method " + pick(["GET", "GET, HEAD", "POST"]), "header \"x-\(int(1...9))\"",
            "header \"x-env\" == \(quoted())", "header \"ua\" ~ \(quoted())", "query \"v\" == \(quoted())",
        ])
        return chance(20) ? "not " + test : test
    }

    mutating func duration() -> String {
        pick(["1s", "500ms", "2m", "10s", "1.5s", "250us"])
    }

    mutating func policy() -> String {
        switch int(0...6) {
        case 0: return "timeout \(duration())"
        case 1: return "attempt-timeout \(duration())"
        case 2:
            var line = "retry on " + (0..<int(1...3)).map { _ in pick(["5xx", "503", "502-504", "connect-error", "reset", "attempt-timeout", "unavailable"]) }
                .joined(separator: ", ")
            if chance(50) { line += " limit \(int(0...5))" }
            if chance(50) { line += " budget \(int(1...100))%" }
            if chance(50) { line += " min \(int(1...20))/s" }
            if chance(30) { line += " ttl \(duration())" }
            if chance(30) { line += " backoff 10ms..1s" }
            if chance(30) { line += " methods POST" }
            return line
        case 3:
            var line = chance(50) ? "accrual consecutive \(int(1...9))" : "accrual success-rate " + pick(["0.9", "95%"])
            if chance(40) { line += " backoff 1s..60s" }
            if chance(40) { line += " max-ejection \(int(1...100))%" }
            if chance(20) { line += " fail-fast" }
            return line
        case 4: return "balance " + pick(["peak-ewma", "peak-ewma decay 5s", "peak-ewma default-rtt 50ms", "least-loaded", "round-robin"])
        case 5: return "upgrade " + pick(["websocket", "none", "websocket, my-proto"])
        default: return "classify " + pick(["5xx", "429", "503, 504"]) + " as " + pick(["success", "failure", "retryable-failure"])
        }
    }

    /// Up to four policy lines with distinct keywords (`classify` may repeat).
    mutating func policies() -> [String] {
        var lines: [String] = []
        var keywords: Set<String> = []
        for _ in 0..<int(0...4) {
            let line = policy()
            let keyword = String(line.prefix { $0 != " " })
            if keyword == "classify" || keywords.insert(keyword).inserted { lines.append(line) }
        }
        return lines
    }

    mutating func template() -> String {
        "/svc" + pick(["", "/{host}", "/{method}/{host}", "/{header:x-svc}", "/{path:2}", "/{host}-v2", "/static"])
    }

    /// Statements that may appear once per file (`admin`, `identify`, `defaults`).
    var used: Set<Int> = []

    mutating func statement(index: Int) -> String {
        var kind = int(0...8)
        if [1, 3, 5].contains(kind), !used.insert(kind).inserted { kind = 7 }
        switch kind {
        case 0: return "listen 127.0.0.1:\(4000 + index)" + (chance(30) ? " allow-dtab-override" : "") + maybeTrailing()
        case 1: return "admin 127.0.0.1:\(9000 + index)" + maybeTrailing()
        case 2: return "namer n\(index) = files \"dir/\(index)\"" + maybeTrailing()
        case 3: return "identify " + pick(["host", "method-host", "header \"x-svc\"", "path 2", template()])
        case 4: return "dtab {\n" + (0..<int(0...4)).map { _ in "  " + dentry() + maybeTrailing() }.joined(separator: "\n") + "\n}"
        case 5: return "defaults {\n" + policies().map { "  " + $0 }.joined(separator: "\n") + "\n}"
        case 6:
            var lines = ["split /svc/s\(index) {"]
            for _ in 0..<int(1...3) { lines.append("  \(pick(["50%", "25%", "2", "0.5"])) \(path())") }
            return lines.joined(separator: "\n") + "\n}"
        default:
            var lines = ["route r\(index) {"]
            for _ in 0..<int(0...2) {
                lines.append("  when " + (0..<int(1...3)).map { _ in condition() }.joined(separator: " and ") + maybeTrailing())
            }
            lines.append("  to " + template())
            lines += policies().map { "  " + $0 }
            if chance(30) { lines.append("  dtab {\n    \(dentry())\n  }") }
            if chance(20) { lines.append("  " + comment()) }
            return lines.joined(separator: "\n") + "\n}"
        }
    }

    /// A random file of up to `maxStatements` statements.
    mutating func file(maxStatements: Int = 12) -> String {
        used = []
        var out = ""
        for index in 0..<int(1...maxStatements) {
            if chance(25) { out += comment() + "\n" }
            out += statement(index: index) + "\n"
            if chance(30) { out += "\n" }
        }
        return out
    }
}
