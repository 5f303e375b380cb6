// MARK: - JSONStreamFramer

/// Cuts a byte stream of concatenated JSON objects (etcd's watch stream:
/// one object per message, in chunks that need not align with them) into
/// whole objects, by tracking brace depth outside of strings.
struct JSONStreamFramer {
    private var pending: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?

    /// The objects completed by `bytes`; a partial one is kept for the next call.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [[UInt8]] where Bytes.Element == UInt8 {
        var objects: [[UInt8]] = []
        for byte in bytes {
            pending.append(byte)
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"):
                if depth == 0 { start = pending.count - 1 }
                depth += 1
            case UInt8(ascii: "}") where depth > 0:
                depth -= 1
                if depth == 0, let begin = start {
                    objects.append(Array(pending[begin...]))
                    pending.removeAll(keepingCapacity: true)
                    start = nil
                }
            default: break
            }
        }
        if depth == 0 { pending.removeAll(keepingCapacity: true) }
        return objects
    }
}
