// MARK: - Reading a String's bytes in place

extension String {
    /// Calls `body` with the string's UTF-8 bytes, read in place.
    ///
    /// `withUTF8` is `mutating`, so calling it on a `let` or a property needs
    /// a `var` copy: a retain and a release per call on the request path.
    /// Native strings are always contiguous; the copy is only the fallback.
    @inlinable
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
