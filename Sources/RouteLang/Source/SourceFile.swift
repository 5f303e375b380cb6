// MARK: - SourceFile

/// A rule file held in memory with a line table, so every diagnostic can be
/// reported as `file:line:col` and show the offending source line.
///
/// Offsets are UTF-8 byte offsets; columns are 1-based and count Unicode
/// scalars, which is what editors and GitHub annotations expect.
public struct SourceFile: Sendable, Hashable {
    public let name: String
    public let text: String
    /// The UTF-8 bytes of `text`; the lexer scans these directly.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts (line 1 at index 0).
    public let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        self.lineStarts = starts
    }

    // MARK: Positions

    /// The 1-based line and column of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let lineStart = lineStarts[low]
        let column = String(decoding: bytes[lineStart..<clamped], as: UTF8.self).unicodeScalars.count + 1
        return SourceLocation(line: low + 1, column: column)
    }

    /// The byte offset of a 1-based line and column (used by the YAML front end,
    /// whose parser reports marks as line and column).
    public func offset(line: Int, column: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return bytes.count }
        let start = lineStarts[line - 1]
        let end = lineEnd(ofLine: line)
        var offset = start
        var remaining = column - 1
        let scalars = String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars
        for scalar in scalars {
            if remaining <= 0 { break }
            offset += String(scalar).utf8.count
            remaining -= 1
        }
        return offset
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        return String(decoding: bytes[lineStarts[line - 1]..<lineEnd(ofLine: line)], as: UTF8.self)
    }

    /// The source text covered by a range.
    public func text(of range: SourceRange) -> String {
        let start = max(0, min(range.start, bytes.count))
        let end = max(start, min(range.end, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func lineEnd(ofLine line: Int) -> Int {
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > lineStarts[line - 1], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return max(end, lineStarts[line - 1])
    }
}

// MARK: - SourceLocation

/// A 1-based line and column.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
