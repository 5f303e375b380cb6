// MARK: - Checker

/// Validates a parsed `RuleFile` and reports the errors and warnings of
/// ROUTELANG.md section 6. It only reads the AST; `Compiler` runs after it.
///
/// The checks are grouped by concern in extensions: declarations (this
/// file), names and delegation, routes and conditions, policies.
public struct Checker {
    let file: RuleFile
    var diagnostics: [Diagnostic] = []

    /// Namer names declared in the file, with their ranges.
    var namers: [String: SourceRange] = [:]
    /// Namer names some dtab leaf refers to.
    var usedNamers: Set<String> = []
    /// The effective defaults, for checks on each route's merged policy.
    var defaults: Policy = .builtIn
    /// Regular expressions already found valid.
    var validPatterns: Set<String> = []

    init(file: RuleFile) {
        self.file = file
    }

    /// Every diagnostic for `file`, in the order the checks found them.
    public static func check(_ file: RuleFile) -> [Diagnostic] {
        var checker = Checker(file: file)
        checker.run()
        return checker.diagnostics
    }

    mutating func run() {
        checkDeclarations()
        checkNamers()
        checkDelegation()
        checkPolicies()
        checkRoutes()
        checkSplits()
    }

    // MARK: Reporting

    mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                        notes: [Diagnostic.Note] = [], help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, at: range, severity: .error, notes: notes, help: help))
    }

    mutating func warning(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                          notes: [Diagnostic.Note] = [], help: String? = nil) {
        diagnostics.append(Diagnostic(code, message, at: range, severity: .warning, notes: notes, help: help))
    }

    // MARK: Limits

    /// Each limit once, every value above zero and sizes sensible.
    mutating func checkLimits(_ block: LimitsBlock) {
        var seen: [String: SourceRange] = [:]
        for item in block.items {
            if let first = seen[item.name.value] {
                error(.duplicateOption, "`\(item.name.value)` is given twice in limits", at: item.range,
                      notes: [Diagnostic.Note("first given here", at: first)])
            }
            seen[item.name.value] = seen[item.name.value] ?? item.range
            let allowed = LimitItem.Kind(rawValue: item.name.value)?.allowed
            switch item.value {
            case .bytes(let number), .count(let number):
                if let allowed, !allowed.range.contains(number.value) {
                    error(.valueOutOfRange, "`\(item.name.value)` must be \(allowed.text)", at: number.range)
                }
            case .duration(let duration) where duration.value <= .zero:
                error(.valueOutOfRange, "`\(item.name.value)` must be longer than zero", at: duration.range)
            default:
                break
            }
        }
    }

    // MARK: Declarations

    /// An `http://HOST:PORT` collector (https is not supported yet) and a sample ratio within 0–100%.
    mutating func checkTracing(_ decl: TracingDecl) {
        if case .failure(let problem) = LiteralParser.collectorURL(decl.endpoint.value) {
            error(.invalidAddress, problem.message, at: decl.endpoint.range, help: problem.help)
        }
        if let sample = decl.sample, !(0...1).contains(sample.value) {
            error(.invalidPercentage, "sample `\(sample.text)` is not between 0% and 100%", at: sample.range)
        }
    }

    /// One admin, identify, defaults and dtab block each; distinct listener
    /// addresses; warnings for exposed admin and override-enabled listeners.
    mutating func checkDeclarations() {
        var firstBlock: [String: SourceRange] = [:]
        var listeners: [SocketAddress: SourceRange] = [:]
        var admin: Spanned<SocketAddress>?
        var hasRoute = false
        var hasIdentify = false

        for statement in file.statements {
            let keyword: String
            switch statement {
            case .listen(let decl):
                // Port 0 asks the system for a free port: never a conflict.
                if decl.address.value.port != 0, let first = listeners[decl.address.value] {
                    error(.duplicateListener, "two listeners on \(decl.address.value)", at: decl.address.range,
                          notes: [Diagnostic.Note("first declared here", at: first)])
                }
                listeners[decl.address.value] = listeners[decl.address.value] ?? decl.address.range
                if let option = decl.allowDtabOverride, !decl.address.value.isLoopback {
                    warning(.publicDtabOverride, "`allow-dtab-override` on non-loopback listener \(decl.address.value)",
                            at: option, help: "any client that reaches \(decl.address.value) can steer traffic with `l5d-dtab`; "
                                + "allow it only on a loopback or otherwise trusted listener")
                }
                continue
            case .admin(let decl):
                admin = admin ?? decl.address
                keyword = "admin"
                if !decl.address.value.isLoopback {
                    warning(.publicAdmin, "admin API on non-loopback address \(decl.address.value)", at: decl.address.range,
                            help: "the admin API shows configuration and routes; keep it on 127.0.0.1 unless a firewall protects it")
                }
            case .identify:
                keyword = "identify"
                hasIdentify = true
            case .defaults:
                keyword = "defaults"
            case .limits(let block):
                keyword = "limits"
                checkLimits(block)
            case .dtab:
                keyword = "dtab"
            case .tracing(let decl):
                keyword = "tracing"
                checkTracing(decl)
            case .accessLog(let decl):
                keyword = "access-log"
                if decl.path.value.isEmpty {
                    error(.valueOutOfRange, "the access log needs a file, or \"-\" for standard output", at: decl.path.range)
                }
            case .route:
                hasRoute = true
                continue
            case .namer, .split:
                continue
            }
            if let first = firstBlock[keyword] {
                error(.duplicateBlock, "`\(keyword)` is given more than once", at: statement.range,
                      notes: [Diagnostic.Note("first given here", at: first)],
                      help: ["identify", "admin", "tracing", "access-log"].contains(keyword) ? nil : "merge the two blocks into one")
            } else {
                firstBlock[keyword] = statement.range
            }
        }

        if let admin, admin.value.port != 0, let listener = listeners[admin.value] {
            error(.addressConflict, "admin and a listener both use \(admin.value)", at: admin.range,
                  notes: [Diagnostic.Note("listener declared here", at: listener)])
        }
        if listeners.isEmpty, !file.statements.isEmpty {
            warning(.noListener, "no `listen` statement: `switchyard run` would not accept traffic",
                    at: file.statements[0].range, help: "add e.g. `listen 127.0.0.1:4140`")
        }
        if !hasRoute, !hasIdentify, !file.statements.isEmpty {
            warning(.nothingRoutable, "no route and no `identify`: every request would be answered 400",
                    at: file.statements[0].range, help: "add `identify host` or a `route`")
        }
    }
}
