// MARK: - Path

/// A Finagle path: a sequence of labels, shown as `/a/b`; the empty path is `/`.
///
/// Labels are stored decoded (`\x66` becomes `f`). A label that is not valid
/// UTF-8 after decoding keeps replacement characters; Finagle stores raw
/// bytes, which no RouteLang user has needed.
public struct Path: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var labels: [String]

    public init(_ labels: [String]) {
        self.labels = labels
    }

    public init(_ labels: String...) {
        self.labels = labels
    }

    public static let empty = Path([])

    public var isEmpty: Bool { labels.isEmpty }
    public var count: Int { labels.count }

    /// Finagle's show form: showable bytes verbatim, others as `\xHH`.
    public var show: String {
        if labels.isEmpty { return "/" }
        var out = ""
        for label in labels {
            out += "/"
            out += Path.showLabel(label)
        }
        return out
    }

    public var description: String { show }

    /// Whether `prefix` is a prefix of this path.
    public func starts(with prefix: Path) -> Bool {
        prefix.labels.count <= labels.count && labels.starts(with: prefix.labels)
    }

    /// The labels after the first `count`.
    public func dropFirst(_ count: Int) -> Path {
        Path(Array(labels.dropFirst(count)))
    }

    /// This path followed by `suffix`.
    public func appending(_ suffix: Path) -> Path {
        Path(labels + suffix.labels)
    }

    public static func < (lhs: Path, rhs: Path) -> Bool {
        lhs.labels.lexicographicallyPrecedes(rhs.labels)
    }

    // MARK: Label characters

    /// Finagle's `Path.isShowable`: ASCII letters, digits and `_ : . # $ % -`.
    public static func isShowable(_ byte: UInt8) -> Bool {
        Lexer.isLabelByte(byte)
    }

    public static func showLabel(_ label: String) -> String {
        var out = ""
        for byte in label.utf8 {
            if isShowable(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "\\x" + hexByte(byte)
            }
        }
        return out
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
