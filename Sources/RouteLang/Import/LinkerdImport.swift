import Foundation
import Yams

// MARK: - LinkerdImport

/// `switchyard import linkerd FILE.yaml`: a Linkerd 1 `linkerd.yaml` as a
/// RouteLang rule file. It carries what Switchyard has (the http router's
/// servers, dtab, identifier, service and client settings: timeouts,
/// retries and budgets, failure accrual, the load balancer; `io.l5d.fs`
/// namers) and writes one diagnostic, at the setting's line, for every
/// setting it cannot carry or carries with a difference. Pure: text in,
/// text and diagnostics out.
public struct LinkerdImport {
    public struct Result: Sendable {
        /// The RouteLang file; nil when the input is not a Linkerd config at all.
        public var routes: String?
        public var diagnostics: Diagnostics
        public var source: SourceFile
    }

    let source: SourceFile
    var diagnostics = Diagnostics()
    var listens: [String] = []
    var admin: String?
    var namers: [String] = []
    /// Namer prefixes Switchyard knows (`io.l5d.fs`), for dtab leaves.
    var carriedNamers: Set<String> = []
    var identify = "identify host"
    var dentries: [String] = []
    var defaults: [String] = []
    var routes: [String] = []
    /// Whether requests are named by Host, so per-service settings can become routes.
    var namedByHost = true

    public static func convert(_ source: SourceFile) -> Result {
        var importer = LinkerdImport(source: source)
        let routes = importer.run()
        return Result(routes: routes, diagnostics: importer.diagnostics, source: source)
    }

    // MARK: Top level

    mutating func run() -> String? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: source.text)
        } catch {
            diagnostics.append(Diagnostic(.yamlSyntax, "invalid YAML: \(error)", at: SourceRange(start: 0, end: 0)))
            return nil
        }
        guard let top = root?.mapping else {
            diagnostics.append(Diagnostic(.yamlWrongType, "a Linkerd config is a mapping with `routers`", at: range(root)))
            return nil
        }
        for (key, value) in top {
            switch key.string ?? "" {
            case "namers": for namer in value.sequence ?? [] { readNamer(namer) }
            case "admin": readAdmin(value)
            case "routers": break
            default: notCarried(key, "`\(key.string ?? "")` (Switchyard has no equivalent yet)")
            }
        }
        let http = (top["routers"]?.sequence ?? []).filter { $0.mapping?["protocol"]?.string == "http" }
        for router in top["routers"]?.sequence ?? [] where router.mapping?["protocol"]?.string != "http" {
            notCarried(router.mapping?["protocol"] ?? router, "a `\(router.mapping?["protocol"]?.string ?? "?")` router: Switchyard serves HTTP/1.1")
        }
        guard let first = http.first?.mapping else {
            diagnostics.append(Diagnostic(.yamlMissingKey, "no `protocol: http` router to import", at: range(root)))
            return nil
        }
        for extra in http.dropFirst() {
            notCarried(extra, "a second http router: one rule file holds one router; import it from a file of its own")
        }
        readRouter(first)
        return render()
    }

    // MARK: Namers and admin

    mutating func readNamer(_ node: Node) {
        guard let namer = node.mapping, let kind = namer["kind"]?.string else { return notCarried(node, "a namer without `kind`") }
        let prefix = (namer["prefix"]?.string).map { String($0.drop { $0 == "/" }) } ?? kind
        guard kind == "io.l5d.fs" else {
            return notCarried(namer["kind"]!, "namer `\(kind)`: Switchyard discovers through files namers (DNS and etcd are coming); "
                                + "dtab entries that use it are left out")
        }
        guard let root = namer["rootDir"]?.string else { return notCarried(node, "an io.l5d.fs namer without `rootDir`") }
        namers.append("namer \(prefix) = files \(Self.quote(root))")
        carriedNamers.insert(prefix)
        if !root.hasPrefix("/"), let rootNode = namer["rootDir"] {
            carriedDifferently(rootNode, "`rootDir: \(root)` is now read from beside the rule file, not from where the proxy starts")
        }
        for (key, _) in namer where !["kind", "rootDir", "prefix"].contains(key.string ?? "") {
            notCarried(key, "namer option `\(key.string ?? "")`")
        }
    }

    mutating func readAdmin(_ node: Node) {
        guard let admin = node.mapping else { return }
        let ip = admin["ip"]?.string ?? "127.0.0.1"
        let port = admin["port"]?.int ?? 9990
        self.admin = "admin \(Self.address(ip, port))"
        for (key, _) in admin where !["ip", "port"].contains(key.string ?? "") {
            notCarried(key, "admin option `\(key.string ?? "")`")
        }
    }

    // MARK: The router

    mutating func readRouter(_ router: Node.Mapping) {
        for (key, value) in router {
            switch key.string ?? "" {
            case "protocol", "label": break
            case "servers": for server in value.sequence ?? [] { readServer(server) }
            case "dtab", "baseDtab": readDtab(value)
            case "identifier": readIdentifier(value.sequence?.first ?? value)
            case "service": readService(value)
            case "client": readClient(value)
            case "dstPrefix":
                if value.string != "/svc" { notCarried(value, "`dstPrefix: \(value.string ?? "")`: names start with /svc") }
            default: notCarried(key, "router option `\(key.string ?? "")`")
            }
        }
        if listens.isEmpty { listens.append("listen 127.0.0.1:4140") }
    }

    mutating func readServer(_ node: Node) {
        guard let server = node.mapping else { return }
        let ip = server["ip"]?.string ?? "127.0.0.1"
        let port = server["port"]?.int ?? 4140
        listens.append("listen \(Self.address(ip, port))")
        for (key, _) in server where !["ip", "port"].contains(key.string ?? "") {
            notCarried(key, "server option `\(key.string ?? "")`")
        }
    }

    mutating func readIdentifier(_ node: Node) {
        guard let identifier = node.mapping, let kind = identifier["kind"]?.string else { return }
        switch kind {
        case "io.l5d.header.token", "io.l5d.headerToken":
            let header = identifier["header"]?.string ?? "Host"
            if header.lowercased() == "host" || header == ":authority" {
                identify = "identify host"
            } else {
                identify = "identify header \(Self.quote(header.lowercased()))"
                namedByHost = false
            }
        case "io.l5d.path", "io.l5d.header.path":
            identify = "identify path \(identifier["segments"]?.int ?? 1)"
            namedByHost = false
            if kind == "io.l5d.header.path" { carriedDifferently(node, "`io.l5d.header.path` reads the request path, not a header") }
        case "io.l5d.methodAndHost":
            identify = "identify method-host"
            carriedDifferently(node, "`io.l5d.methodAndHost` names /svc/1.1/METHOD/HOST; Switchyard names /svc/METHOD/HOST")
        default:
            identify = "identify host"
            carriedDifferently(node, "identifier `\(kind)`: requests are named /svc/HOST instead")
        }
    }

    // MARK: The dtab

    mutating func readDtab(_ node: Node) {
        guard let text = node.string else { return }
        for entry in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !entry.isEmpty {
            let place = range(of: entry, after: node)
            // Linkerd's default identifier names /http/1.1/METHOD/HOST and
            // strips the method with this rewriting namer; Switchyard names
            // /svc/HOST, so the same dtab reads `/svc => TARGET`.
            if entry.hasPrefix("/method"), let pfx = entry.range(of: "/$/io.buoyant.http.anyMethodPfx") {
                let target = entry[pfx.upperBound...].trimmingCharacters(in: .whitespaces)
                dentries.append("/svc => \(target.isEmpty ? "/" : target);")
                carriedDifferently(at: place, "`\(entry)` strips the method from /http/1.1/METHOD/HOST names; "
                                    + "Switchyard names /svc/HOST, so it is carried as `/svc => \(target)`")
                continue
            }
            if entry.hasPrefix("/http/1.1"), entry.hasSuffix("/method") {
                dentries.append("# \(entry);  (not needed: requests are named /svc/HOST)")
                carriedDifferently(at: place, "`\(entry)` is not needed: requests are named /svc/HOST")
                continue
            }
            let rewritten = rewriteLegacyLeaves(entry)
            if rewritten != entry {
                carriedDifferently(at: place, "`\(entry)`: a namer is written /#/NAMER now; carried as `\(rewritten)`")
            }
            if let unknown = unknownNamer(in: rewritten) {
                notCarried(at: place, "`\(entry)`: \(unknown) is not available in Switchyard; the dentry is left out")
                dentries.append("# \(rewritten);  (left out: \(unknown))")
            } else {
                dentries.append(rewritten + ";")
            }
        }
    }

    /// `/io.l5d.fs/x` (Linkerd's pre-1.0 spelling) as `/#/io.l5d.fs/x`.
    func rewriteLegacyLeaves(_ entry: String) -> String {
        guard let arrow = entry.range(of: "=>") else { return entry }
        var tree = String(entry[arrow.upperBound...])
        for namer in carriedNamers {
            tree = tree.replacingOccurrences(of: "/\(namer)", with: "/#/\(namer)")
            tree = tree.replacingOccurrences(of: "/#/#/\(namer)", with: "/#/\(namer)")
        }
        return entry[..<arrow.upperBound] + tree
    }

    /// The first namer a dentry's tree names that Switchyard lacks.
    func unknownNamer(in entry: String) -> String? {
        guard let arrow = entry.range(of: "=>") else { return nil }
        for word in entry[arrow.upperBound...].split(whereSeparator: { " &|()~!".contains($0) }) {
            let labels = word.split(separator: "/")
            guard labels.count >= 2 else { continue }
            if labels[0] == "#", !carriedNamers.contains(String(labels[1])) { return "namer `/#/\(labels[1])`" }
            if labels[0] == "$", !["inet", "fail", "nil"].contains(labels[1]) { return "`/$/\(labels[1])`" }
        }
        return nil
    }

    // MARK: Service and client settings

    mutating func readService(_ node: Node) {
        guard let service = node.mapping else { return }
        if service["kind"]?.string == "io.l5d.static" {
            for config in service["configs"]?.sequence ?? [] {
                guard let mapping = config.mapping, let prefix = mapping["prefix"]?.string else { continue }
                let lines = serviceLines(mapping)
                if prefix == "/svc" || prefix == "/" {
                    defaults += lines
                } else if namedByHost, prefix.hasPrefix("/svc/"), !prefix.contains("*"), prefix.split(separator: "/").count == 2 {
                    let host = String(prefix.dropFirst(5))
                    routes.append(routeBlock(host: host, lines: lines))
                } else {
                    notCarried(config, "service settings for `\(prefix)`: RouteLang sets policies per route; write a route for it")
                }
            }
            return
        }
        defaults += serviceLines(service)
    }

    /// A route for one host-named service with its own policies.
    func routeBlock(host: String, lines: [String]) -> String {
        let name = host.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return "route svc-\(String(name)) {\n  when host \(Self.quote(host))\n  to /svc/\(host)\n"
            + lines.map { "  \($0)\n" }.joined() + "}"
    }

    mutating func serviceLines(_ service: Node.Mapping) -> [String] {
        var lines: [String] = []
        var retryOn = "connect-error"
        var retryExtra = ""
        for (key, value) in service {
            switch key.string ?? "" {
            case "prefix", "kind": break
            case "totalTimeoutMs": if let ms = value.int { lines.append("timeout \(ms)ms") }
            case "responseClassifier":
                switch value.mapping?["kind"]?.string ?? "" {
                case "io.l5d.http.retryableIdempotent5XX", "io.l5d.retryableIdempotent5XX": retryOn = "5xx, connect-error"
                case "io.l5d.http.retryableRead5XX", "io.l5d.retryableRead5XX":
                    retryOn = "5xx, connect-error"
                    carriedDifferently(value, "`retryableRead5XX` retries GET, HEAD, OPTIONS and TRACE; Switchyard retries PUT and DELETE too")
                case "io.l5d.http.nonRetryable5XX", "io.l5d.nonRetryable5XX": break
                default: notCarried(value, "response classifier `\(value.mapping?["kind"]?.string ?? "?")`")
                }
            case "retries":
                let retries = value.mapping
                if let budget = retries?["budget"]?.mapping {
                    if let percent = budget["percentCanRetry"].flatMap(Self.number) { retryExtra += " budget \(Self.shortest(percent * 100))%" }
                    if let minimum = budget["minRetriesPerSec"].flatMap(Self.number) { retryExtra += " min \(Self.shortest(minimum))/s" }
                    if let ttl = budget["ttlSecs"]?.int { retryExtra += " ttl \(ttl)s" }
                }
                if let backoff = retries?["backoff"] { retryExtra += backoffText(backoff).map { " backoff \($0)" } ?? "" }
            default: notCarried(key, "service option `\(key.string ?? "")`")
            }
        }
        if retryOn != "connect-error" || !retryExtra.isEmpty { lines.append("retry on \(retryOn)" + retryExtra) }
        return lines
    }

    mutating func readClient(_ node: Node) {
        guard let client = node.mapping else { return }
        if client["kind"]?.string == "io.l5d.static" {
            for config in client["configs"]?.sequence ?? [] {
                guard let mapping = config.mapping else { continue }
                if mapping["prefix"]?.string == "/" {
                    defaults += clientLines(mapping)
                } else {
                    notCarried(config, "client settings for `\(mapping["prefix"]?.string ?? "?")`: policies are per route, not per destination")
                }
            }
            return
        }
        defaults += clientLines(client)
    }

    mutating func clientLines(_ client: Node.Mapping) -> [String] {
        var lines: [String] = []
        for (key, value) in client {
            switch key.string ?? "" {
            case "prefix", "kind": break
            case "requestAttemptTimeoutMs": if let ms = value.int { lines.append("attempt-timeout \(ms)ms") }
            case "loadBalancer":
                let balancer = value.mapping
                switch balancer?["kind"]?.string ?? "" {
                case "ewma":
                    let decay = balancer?["decayTimeMs"]?.int.map { " decay \($0)ms" } ?? ""
                    lines.append("balance peak-ewma" + decay)
                case "p2c": lines.append("balance least-loaded")
                case "roundRobin": lines.append("balance round-robin")
                default:
                    lines.append("balance least-loaded")
                    carriedDifferently(value, "load balancer `\(balancer?["kind"]?.string ?? "?")`: carried as least-loaded")
                }
                for (option, _) in balancer ?? [:] where !["kind", "decayTimeMs"].contains(option.string ?? "") {
                    notCarried(option, "load balancer option `\(option.string ?? "")`")
                }
            case "failureAccrual":
                if let line = accrualLine(value) { lines.append(line) }
            default: notCarried(key, "client option `\(key.string ?? "")`")
            }
        }
        return lines
    }

    mutating func accrualLine(_ node: Node) -> String? {
        guard let accrual = node.mapping else { return nil }
        var backoff = ""
        if let node = accrual["backoff"], let text = backoffText(node) { backoff = " backoff \(text)" }
        switch accrual["kind"]?.string ?? "" {
        case "io.l5d.consecutiveFailures":
            return "accrual consecutive \(accrual["failures"]?.int ?? 5)" + backoff
        case "io.l5d.successRate":
            let rate = accrual["successRate"].flatMap(Self.number) ?? 0.8
            carriedDifferently(node, "`io.l5d.successRate` counts the last `requests`; Switchyard counts a 30s window with that many requests at least")
            return "accrual success-rate \(Self.shortest(rate)) min-requests \(accrual["requests"]?.int ?? 100)" + backoff
        case "io.l5d.successRateWindowed":
            let rate = accrual["successRate"].flatMap(Self.number) ?? 0.8
            return "accrual success-rate \(Self.shortest(rate)) window \(accrual["window"]?.int ?? 30)s" + backoff
        default:
            notCarried(node, "failure accrual `\(accrual["kind"]?.string ?? "?")`")
            return nil
        }
    }

    /// `jittered` (minMs..maxMs) and `constant` (ms) backoffs as `A..B`.
    mutating func backoffText(_ node: Node) -> String? {
        guard let backoff = node.mapping else { return nil }
        switch backoff["kind"]?.string ?? "" {
        case "jittered": return "\(backoff["minMs"]?.int ?? 10)ms..\(backoff["maxMs"]?.int ?? 10_000)ms"
        case "constant":
            let ms = backoff["ms"]?.int ?? 0
            return "\(ms)ms..\(ms)ms"
        default:
            notCarried(node, "backoff `\(backoff["kind"]?.string ?? "?")`")
            return nil
        }
    }

    // MARK: Output

    func render() -> String {
        var out = "# Imported from \((source.name as NSString).lastPathComponent) by `switchyard import linkerd`.\n"
        out += listens.joined(separator: "\n") + "\n"
        if let admin { out += admin + "\n" }
        if !namers.isEmpty { out += "\n" + namers.joined(separator: "\n") + "\n" }
        out += "\n\(identify)\n"
        if !dentries.isEmpty { out += "\ndtab {\n" + dentries.map { "  \($0)\n" }.joined() + "}\n" }
        if !defaults.isEmpty { out += "\ndefaults {\n" + defaults.map { "  \($0)\n" }.joined() + "}\n" }
        for route in routes { out += "\n" + route + "\n" }
        return out
    }

    // MARK: Helpers

    mutating func notCarried(_ node: Node, _ what: String) {
        notCarried(at: range(node), what)
    }

    mutating func notCarried(at range: SourceRange, _ what: String) {
        diagnostics.append(Diagnostic(.importNotCarried, "not carried: \(what)", at: range, severity: .warning))
    }

    mutating func carriedDifferently(_ node: Node, _ what: String) {
        carriedDifferently(at: range(node), what)
    }

    mutating func carriedDifferently(at range: SourceRange, _ what: String) {
        diagnostics.append(Diagnostic(.importApproximated, "carried with a difference: \(what)", at: range, severity: .warning))
    }

    /// Where `text` (one dentry of a block scalar) stands in the file.
    func range(of text: String, after node: Node) -> SourceRange {
        let start = range(node).start
        let rest = source.text.utf8.dropFirst(start)
        guard let found = String(decoding: rest, as: UTF8.self).range(of: text) else { return range(node) }
        let offset = start + String(decoding: rest, as: UTF8.self)[..<found.lowerBound].utf8.count
        return SourceRange(start: offset, end: offset + text.utf8.count)
    }

    func range(_ node: Node?) -> SourceRange {
        guard let mark = node?.mark else { return SourceRange(start: 0, end: 0) }
        let offset = source.offset(line: mark.line, column: mark.column)
        return SourceRange(start: offset, end: offset)
    }

    static func number(_ node: Node) -> Double? {
        node.float ?? node.int.map(Double.init)
    }

    static func shortest(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func address(_ ip: String, _ port: Int) -> String {
        ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
