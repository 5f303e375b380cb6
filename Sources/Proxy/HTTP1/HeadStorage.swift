// MARK: - HeadStorage

/// The two arrays a parsed head lives in (its bytes and its field offsets),
/// kept by a connection between heads. A parser fills them in place, so a
/// keep-alive connection parses every head after its first into memory it
/// already has: no allocation per head. When a finished head is still
/// referenced somewhere, the next parse gets fresh arrays (copy on write),
/// so reuse is never visible.
public struct HeadStorage: Sendable {
    var bytes: [UInt8] = []
    var fields: [RequestHead.Field] = []

    public init() {}

    /// Gives back a finished head's arrays for the next head.
    public mutating func recycle(bytes: [UInt8], fields: [RequestHead.Field]) {
        self.bytes = bytes
        self.fields = fields
    }

    /// Takes the arrays out, emptied (capacity kept), and leaves this empty:
    /// the head parsed into them owns them until it is recycled.
    mutating func take(_ head: UnsafeBufferPointer<UInt8>.SubSequence) -> ([UInt8], [RequestHead.Field]) {
        var bytes = self.bytes
        var fields = self.fields
        self = HeadStorage()
        bytes.removeAll(keepingCapacity: true)
        // Sized once: appending to an empty array would grow it step by step.
        if bytes.capacity < head.count { bytes.reserveCapacity(max(head.count, 1024)) }
        bytes.append(contentsOf: head)
        fields.removeAll(keepingCapacity: true)
        // One allocation for a typical head, instead of one per doubling.
        fields.reserveCapacity(RequestHeadParser.typicalFieldCount)
        return (bytes, fields)
    }
}
