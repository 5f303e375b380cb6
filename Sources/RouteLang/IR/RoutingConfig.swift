// MARK: - RoutingConfig

/// The compiled, checked model of one rule file: plain `Sendable` values the
/// Engine turns into a routing snapshot. Two files that mean the same thing
/// (a `.routes` file and its YAML twin) compile to equal configs.
public struct RoutingConfig: Sendable, Hashable {
    public var listeners: [ListenerConfig]
    public var admin: SocketAddress
    public var namers: [NamerConfig]
    /// How requests that match no route are named; nil answers them 400.
    public var identification: PathTemplate?
    /// The file's dtab with every `split` appended as a weighted dentry.
    public var dtab: Dtab
    /// The policy for identified requests (built-ins overlaid with `defaults`).
    public var defaults: Policy
    /// Routes in source order, each with its complete policy.
    public var routes: [RouteConfig]
    /// The data plane's limits when the file has a `limits` block.
    public var limits: ServerLimits?
    /// Span export, when the file has a `tracing` statement.
    public var tracing: TracingConfig?
    /// Where the access log goes (`-`: standard output), when the file has an `access-log`.
    public var accessLog: String?

    public init(listeners: [ListenerConfig], admin: SocketAddress, namers: [NamerConfig],
                identification: PathTemplate?, dtab: Dtab, defaults: Policy, routes: [RouteConfig], limits: ServerLimits? = nil) {
        self.listeners = listeners
        self.admin = admin
        self.namers = namers
        self.identification = identification
        self.dtab = dtab
        self.defaults = defaults
        self.routes = routes
        self.limits = limits
    }

    /// Where the admin API listens when the file does not say (loopback only).
    public static let defaultAdmin = SocketAddress(host: "127.0.0.1", port: 9990)
}

public struct ListenerConfig: Sendable, Hashable {
    public var address: SocketAddress
    /// Whether requests may carry `l5d-dtab` to steer their own delegation.
    public var allowDtabOverride: Bool
    /// PEM files of the certificate chain and private key; nil for clear text.
    public var tls: TLSFiles?

    public init(address: SocketAddress, allowDtabOverride: Bool, tls: TLSFiles? = nil) {
        self.address = address
        self.allowDtabOverride = allowDtabOverride
        self.tls = tls
    }
}

/// A TLS listener's certificate chain and key, as PEM file paths.
public struct TLSFiles: Sendable, Hashable {
    public var cert: String
    public var key: String

    public init(cert: String, key: String) {
        self.cert = cert
        self.key = key
    }
}

public struct NamerConfig: Sendable, Hashable {
    public var name: String
    public var kind: NamerKind
    public var argument: String
    /// The kind's options by key (a flag's value is empty).
    public var options: [String: String]

    public init(name: String, kind: NamerKind, argument: String, options: [String: String] = [:]) {
        self.name = name
        self.kind = kind
        self.argument = argument
        self.options = options
    }
}

public struct RouteConfig: Sendable, Hashable {
    public var name: String
    /// Any clause may match; inside a clause every condition must hold. No
    /// clauses means the route matches every request.
    public var clauses: [[Condition]]
    public var target: PathTemplate
    /// Route-local dentries, appended after the file's dtab for this route only.
    public var dtab: Dtab
    public var policy: Policy

    public init(name: String, clauses: [[Condition]], target: PathTemplate, dtab: Dtab, policy: Policy) {
        self.name = name
        self.clauses = clauses
        self.target = target
        self.dtab = dtab
        self.policy = policy
    }
}

// MARK: - TracingConfig

/// `tracing otlp "URL" sample R`.
public struct TracingConfig: Sendable, Hashable {
    /// The collector's base URL (spans go to `<endpoint>/v1/traces`).
    public var endpoint: String
    /// The share of traces started here that are recorded (a caller's decision is followed).
    public var sampleRatio: Double

    public static let defaultSampleRatio = 1.0

    public init(endpoint: String, sampleRatio: Double = TracingConfig.defaultSampleRatio) {
        self.endpoint = endpoint
        self.sampleRatio = sampleRatio
    }
}
