// MARK: - LiteralParser

/// Parses the spelling of values: durations, percentages, rates, addresses,
/// status classes. Both front ends use it, so `10s` means the same in
/// RouteLang and YAML. Each function returns the value or a message that
/// says what was expected.
public enum LiteralParser {
    public typealias Outcome<T> = Result<T, LiteralError>

    public struct LiteralError: Error, Sendable, Hashable {
        public var message: String
        public var help: String?
        /// A more precise code than the caller's, when the literal knows one.
        public var code: DiagnosticCode?

        init(_ message: String, help: String? = nil, code: DiagnosticCode? = nil) {
            self.message = message
            self.help = help
            self.code = code
        }
    }

    // MARK: Numbers

    /// A non-negative integer.
    public static func integer(_ text: String) -> Outcome<Int> {
        guard !text.isEmpty, text.utf8.allSatisfy(Lexer.isDigit), let value = Int(text) else {
            return .failure(LiteralError("expected a whole number, found `\(text)`"))
        }
        return .success(value)
    }

    /// A non-negative decimal (`12`, `0.5`, `.5`).
    public static func decimal(_ text: String) -> Outcome<Double> {
        let dots = text.filter { $0 == "." }.count
        guard !text.isEmpty, text != ".", dots <= 1,
              text.utf8.allSatisfy({ Lexer.isDigit($0) || $0 == UInt8(ascii: ".") }),
              let value = Double(text.hasPrefix(".") ? "0" + text : text) else {
            return .failure(LiteralError("expected a number, found `\(text)`"))
        }
        return .success(value)
    }

    /// A Finagle weight: digits with at most one dot (`1`, `0.95`, `.5`).
    public static func weight(_ text: String) -> Outcome<Double> {
        decimal(text).mapError { _ in
            LiteralError("invalid weight `\(text)`", help: text.hasSuffix("%")
                ? "a dtab weight is a plain number, as in Finagle (`0.95 * /#/disco/v1 & 0.05 * /#/disco/v2`); percentages are for `split`"
                : "a weight is a number such as `0.95` or `2`")
        }
    }

    /// `20%` as 20.
    public static func percentage(_ text: String) -> Outcome<Double> {
        guard text.hasSuffix("%"), case .success(let value) = decimal(String(text.dropLast())) else {
            return .failure(LiteralError("expected a percentage such as `20%`, found `\(text)`"))
        }
        return .success(value)
    }

    /// A ratio written `0.9` or `90%`, as a fraction.
    public static func ratio(_ text: String) -> Outcome<Double> {
        if text.hasSuffix("%") { return percentage(text).map { $0 / 100 } }
        return decimal(text).mapError { _ in LiteralError("expected a ratio such as `0.9` or `90%`, found `\(text)`") }
    }

    /// `10/s` as 10 per second.
    public static func rate(_ text: String) -> Outcome<Double> {
        guard text.hasSuffix("/s"), case .success(let value) = decimal(String(text.dropLast(2))) else {
            return .failure(LiteralError("expected a rate such as `10/s`, found `\(text)`"))
        }
        return .success(value)
    }

    // MARK: Durations

    /// Units and their length in nanoseconds, longest suffix first so `ms` wins over `s`.
    static let durationUnits: [(suffix: String, nanoseconds: Double)] = [
        ("ms", 1e6), ("us", 1e3), ("ns", 1), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// `500ms`, `10s`, `1.5s`, `2m`, `1h`, `250us`.
    public static func duration(_ text: String) -> Outcome<Duration> {
        for unit in durationUnits where text.hasSuffix(unit.suffix) {
            let number = String(text.dropLast(unit.suffix.count))
            if case .success(let value) = decimal(number), value * unit.nanoseconds < 1e18 {
                return .success(.nanoseconds(Int64((value * unit.nanoseconds).rounded())))
            }
        }
        return .failure(LiteralError("invalid duration `\(text)`",
                                     help: "write a number and a unit: `500ms`, `10s`, `2m`, `1h`"))
    }

    /// `1s..60s`.
    public static func durationRange(_ text: String) -> Outcome<DurationRange> {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, case .success(let lower) = duration(parts[0]),
              case .success(let upper) = duration(parts[1]) else {
            return .failure(LiteralError("invalid duration range `\(text)`", help: "write `MIN..MAX`, e.g. `1s..60s`"))
        }
        return .success(DurationRange(lower, upper))
    }

    // MARK: Sizes

    /// `512B`, `64KiB`, `1MiB` (binary units), or a plain number of bytes.
    public static func byteSize(_ text: String) -> Outcome<Int> {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("B", 1)]
        for (unit, size) in units where text.hasSuffix(unit) {
            if case .success(let value) = integer(String(text.dropLast(unit.count))), value <= Int.max / size {
                return .success(value * size)
            }
        }
        if case .success(let value) = integer(text) { return .success(value) }
        return .failure(LiteralError("invalid size `\(text)`", help: "write a number of bytes with a unit: `512B`, `64KiB`, `1MiB`"))
    }

    // MARK: Addresses

    /// `host:port` or `[ipv6]:port`.
    public static func address(_ text: String) -> Outcome<SocketAddress> {
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(LiteralError("invalid address `\(text)`", help: "write `[::1]:4140`"))
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                return .failure(LiteralError("invalid address `\(text)`", help: "write `HOST:PORT`, e.g. `127.0.0.1:4140`"))
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else {
            return .failure(LiteralError("address `\(text)` has no host", help: "use `0.0.0.0:PORT` to listen on every interface"))
        }
        guard case .success(let port) = integer(String(portText)), (0...65535).contains(port) else {
            return .failure(LiteralError("invalid port `\(portText)` in `\(text)`", help: "a port is 0 to 65535",
                                         code: .invalidPort))
        }
        return .success(SocketAddress(host: host, port: port))
    }

    /// An etcd client address: `http://HOST:PORT`.
    public static func etcdAddress(_ text: String) -> Outcome<SocketAddress> {
        httpAddress(text, tlsWords: "etcd", name: "etcd address", example: "http://127.0.0.1:2379", allowingPath: false)
    }

    /// A collector's base URL: `http://HOST:PORT`, optionally with a path.
    public static func collectorURL(_ text: String) -> Outcome<SocketAddress> {
        httpAddress(text, tlsWords: "export", name: "collector URL", example: "http://127.0.0.1:4318", allowingPath: true)
    }

    /// `http://HOST:PORT[/PATH]` of a control-plane server. There is no TLS
    /// yet, so `https` is refused rather than silently sent in clear.
    static func httpAddress(_ text: String, tlsWords: String, name: String, example: String, allowingPath: Bool) -> Outcome<SocketAddress> {
        let help = "write it as `\(example)`"
        guard text.hasPrefix("http://") else {
            return .failure(LiteralError(text.hasPrefix("https://") ? "\(tlsWords) over TLS is not supported yet: `\(text)`"
                                            : "invalid \(name) `\(text)`", help: help))
        }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard allowingPath || path.isEmpty || path == "/", case .success(let address) = address(String(authority)), address.port > 0 else {
            return .failure(LiteralError("invalid \(name) `\(text)`", help: help))
        }
        return .success(address)
    }

    /// A `static` namer's addresses: `HOST:PORT[*WEIGHT]`, separated by
    /// commas and/or spaces.
    public static func staticAddresses(_ text: String) -> Outcome<[(address: SocketAddress, weight: Double)]> {
        var result: [(address: SocketAddress, weight: Double)] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let parts = item.split(separator: "*", maxSplits: 1)
            guard case .success(let address) = self.address(String(parts[0])), address.port > 0 else {
                return .failure(LiteralError("invalid address `\(item)` in a static namer", help: "write `HOST:PORT` or `HOST:PORT*WEIGHT`"))
            }
            var weight = 1.0
            if parts.count == 2 {
                guard let parsed = Double(parts[1]), parsed >= 0, parsed.isFinite else {
                    return .failure(LiteralError("invalid weight in `\(item)`", help: "a weight is a number such as `2` or `0.5`"))
                }
                weight = parsed
            }
            result.append((address, weight))
        }
        guard !result.isEmpty else { return .failure(LiteralError("a static namer needs at least one address")) }
        return .success(result)
    }

    // MARK: Outcome classes

    /// `5xx`, `503`, `502-504`.
    public static func statusClass(_ text: String) -> Outcome<ClosedRange<Int>> {
        let invalid = LiteralError("invalid status class `\(text)`", help: "write `5xx`, `503` or `502-504` (100 to 599)")
        if text.count == 3, text.hasSuffix("xx"), let hundreds = Int(text.prefix(1)), (1...5).contains(hundreds) {
            return .success(hundreds * 100...hundreds * 100 + 99)
        }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count),
              let low = Int(bounds[0]), let high = Int(bounds.last!),
              bounds.allSatisfy({ $0.count == 3 }), (100...599).contains(low), (100...599).contains(high), low <= high else {
            return .failure(invalid)
        }
        return .success(low...high)
    }

    /// A retry or classification class: a status class or a keyword.
    /// Whether `text` is a retry class, without building the error (and its
    /// suggestion) `retryClass` gives for a word that is not one: the
    /// parser asks this of the word after every class.
    public static func isRetryClass(_ text: String) -> Bool {
        switch text {
        case "connect-error", "reset", "attempt-timeout": return true
        default:
            if GRPCCode(rawValue: text) != nil { return true }
            guard let first = text.utf8.first, Lexer.isDigit(first), case .success = statusClass(text) else { return false }
            return true
        }
    }

    public static func retryClass(_ text: String) -> Outcome<RetryClass> {
        switch text {
        case "connect-error": return .success(.connectError)
        case "reset": return .success(.reset)
        case "attempt-timeout": return .success(.attemptTimeout)
        default:
            if let code = GRPCCode(rawValue: text) { return .success(.grpc(code)) }
            if let first = text.utf8.first, Lexer.isDigit(first) { return statusClass(text).map(RetryClass.status) }
            return .failure(LiteralError("unknown retry class `\(text)`",
                                         help: Suggestion.help(for: text, among: RetryClass.keywords)
                                            ?? "use a status class (`5xx`, `503`, `502-504`), `connect-error`, `reset`, `attempt-timeout` or a gRPC code"))
        }
    }

    // MARK: Names

    /// A route or namer name: a letter, then letters, digits, `_` or `-`.
    public static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let head = bytes.first, Lexer.isAlphaNumeric(head), !Lexer.isDigit(head) else { return false }
        return bytes.allSatisfy { Lexer.isAlphaNumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// A namer name: a name that may also hold dots between its parts, so
    /// Linkerd's `io.l5d.fs` and the dtabs that name it paste unchanged.
    public static func isNamerName(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty } && isName(parts.joined(separator: "-"))
    }

    /// An HTTP token (RFC 9110 section 5.6.2): header names and methods.
    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            Lexer.isAlphaNumeric(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
