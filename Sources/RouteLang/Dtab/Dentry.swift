// MARK: - Dentry

/// One delegation rule, `prefix => tree`. A prefix element may be `*`,
/// which matches any single label (Finagle `Dentry.Prefix.AnyElem`).
public struct Dentry: Sendable, Hashable, CustomStringConvertible {
    public enum Element: Sendable, Hashable {
        case label(String)
        case any
    }

    public var prefix: [Element]
    public var tree: NameTree<Path>

    public init(prefix: [Element], tree: NameTree<Path>) {
        self.prefix = prefix
        self.tree = tree
    }

    public init(prefix: Path, tree: NameTree<Path>) {
        self.init(prefix: prefix.labels.map(Element.label), tree: tree)
    }

    /// Finagle's show form, e.g. `/a/*/c=>/d`.
    public var show: String { Dentry.show(prefix: prefix) + "=>" + tree.show }

    public var description: String { show }

    public static func show(prefix: [Element]) -> String {
        if prefix.isEmpty { return "/" }
        return prefix.map { element in
            switch element {
            case .label(let label): return "/" + Path.showLabel(label)
            case .any: return "/*"
            }
        }.joined()
    }

    /// If `path` starts with this prefix, the unmatched suffix.
    public func match(_ path: Path) -> Path? {
        guard prefix.count <= path.count else { return nil }
        for (element, label) in zip(prefix, path.labels) {
            if case .label(let expected) = element, expected != label { return nil }
        }
        return path.dropFirst(prefix.count)
    }
}

// MARK: - Dtab

/// A delegation table: dentries in order; lookup tries the last one first.
public struct Dtab: Sendable, Hashable, CustomStringConvertible {
    public var dentries: [Dentry]

    public init(_ dentries: [Dentry] = []) {
        self.dentries = dentries
    }

    public static let empty = Dtab()

    /// Finagle's show form: dentries joined by `;`.
    public var show: String { dentries.map(\.show).joined(separator: ";") }

    public var description: String { show }

    /// This dtab followed by `other` (whose entries then take precedence).
    public static func + (lhs: Dtab, rhs: Dtab) -> Dtab {
        Dtab(lhs.dentries + rhs.dentries)
    }
}
