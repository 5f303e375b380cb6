// MARK: - ListenDecl

/// `listen ADDRESS [allow-dtab-override] [tls cert "FILE" key "FILE"]`.
public struct ListenDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    /// Set when `allow-dtab-override` is written; its range for diagnostics.
    public var allowDtabOverride: SourceRange?
    /// The certificate chain and key when the listener speaks TLS.
    public var tls: TLSSyntax?
    public var range: SourceRange

    public static let options = ["allow-dtab-override", "tls"]

    public init(address: Spanned<SocketAddress>, allowDtabOverride: SourceRange?, tls: TLSSyntax? = nil, range: SourceRange) {
        self.address = address
        self.allowDtabOverride = allowDtabOverride
        self.tls = tls
        self.range = range
    }
}

/// `tls cert "FILE" key "FILE"`: PEM files, read when the listener starts.
public struct TLSSyntax: Sendable, Hashable {
    public var cert: Spanned<String>
    public var key: Spanned<String>
    public var range: SourceRange

    public init(cert: Spanned<String>, key: Spanned<String>, range: SourceRange) {
        self.cert = cert
        self.key = key
        self.range = range
    }
}

// MARK: - AdminDecl

/// `admin ADDRESS`.
public struct AdminDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    public var range: SourceRange
}
