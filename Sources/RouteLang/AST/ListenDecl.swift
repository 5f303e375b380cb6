// MARK: - ListenDecl

/// `listen ADDRESS [allow-dtab-override]`.
public struct ListenDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    /// Set when `allow-dtab-override` is written; its range for diagnostics.
    public var allowDtabOverride: SourceRange?
    public var range: SourceRange

    public static let options = ["allow-dtab-override"]
}

// MARK: - AdminDecl

/// `admin ADDRESS`.
public struct AdminDecl: Sendable, Hashable {
    public var address: Spanned<SocketAddress>
    public var range: SourceRange
}
