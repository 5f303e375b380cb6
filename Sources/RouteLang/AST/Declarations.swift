// MARK: - Listener and admin

/// A network address as written: `127.0.0.1:4140`, `[::1]:4140`, `localhost:80`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is a loopback name or address (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// `listen ADDRESS [allow-dtab-override]`.
public struct ListenDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    /// Set when `allow-dtab-override` is written; its range for diagnostics.
    public var allowDtabOverride: SourceRange?
    public var range: SourceRange

    public static let options = ["allow-dtab-override"]
}

/// `admin ADDRESS`.
public struct AdminDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    public var range: SourceRange
}

// MARK: - Namers

/// `namer NAME = KIND "argument"`: a service-discovery source reachable as `/#/NAME`.
public struct NamerDecl: Sendable, Hashable {
    public var name: Spanned<String>
    public var kind: Spanned<NamerKind>
    public var argument: Spanned<String>
    public var range: SourceRange
}

/// The kinds of namer the language knows. Each names the meaning of its argument.
public enum NamerKind: String, Sendable, Hashable, CaseIterable {
    /// A directory with one file per service, each listing `host:port [weight]` lines.
    case files
}

// MARK: - Identification

/// `identify FORM`: how requests that match no route are named.
public struct IdentifyDecl: Sendable, Hashable {
    public var form: IdentifyForm
    public var range: SourceRange
}

public enum IdentifyForm: Sendable, Hashable {
    /// `/svc/<host>`.
    case host
    /// `/svc/<method>/<host>`.
    case methodHost
    /// `/svc/<value of header>`.
    case header(Spanned<String>)
    /// `/svc/<first N path segments>`.
    case path(Spanned<Int>)
    /// A path template such as `/svc/{header:x-svc}`.
    case template(Spanned<PathTemplate>)

    public static let keywords = ["host", "method-host", "header", "path"]
}

// MARK: - Blocks

/// `dtab { dentry ; … }`.
public struct DtabBlock: Sendable, Hashable {
    public var entries: [DentrySyntax]
    public var range: SourceRange
}

/// `defaults { policy … }`.
public struct DefaultsBlock: Sendable, Hashable {
    public var items: [PolicyItem]
    public var range: SourceRange
}

/// `split PATH { WEIGHT TARGET … }`: canary sugar for a weighted dentry.
public struct SplitDecl: Sendable, Hashable {
    public var path: Spanned<Path>
    public var entries: [SplitEntry]
    public var range: SourceRange
}

public struct SplitEntry: Sendable, Hashable {
    /// The weight as written: `90%` (value 90, percent) or `0.9`.
    public var weight: Spanned<Double>
    public var isPercent: Bool
    public var target: Spanned<Path>
    public var range: SourceRange
}
