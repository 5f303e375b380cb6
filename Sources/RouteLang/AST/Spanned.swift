// MARK: - Spanned

/// A value read from the source together with its spelling and range.
///
/// The checker points at `range`; the formatter prints `text`, so `1000ms`
/// stays `1000ms` and `.5` stays `.5` while the compiler uses `value`.
public struct Spanned<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var text: String
    public var range: SourceRange

    public init(_ value: Value, text: String, range: SourceRange) {
        self.value = value
        self.text = text
        self.range = range
    }
}
