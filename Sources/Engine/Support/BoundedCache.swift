// MARK: - BoundedCache

/// A cache of at most `capacity` entries that forgets gradually, for keys
/// that clients choose (hosts, paths). Entries go into a young generation;
/// when it holds half the capacity the old generation is dropped and the
/// young one becomes old. A hit in the old generation moves the entry back
/// to the young one, so entries in use stay, and a flood of one-off keys
/// displaces only what was not used during the last half-capacity misses,
/// never the whole cache at once.
public struct BoundedCache<Key: Hashable, Value> {
    public let capacity: Int
    private var young: [Key: Value] = [:]
    private var old: [Key: Value] = [:]

    public init(capacity: Int) {
        self.capacity = max(2, capacity)
    }

    public var count: Int { young.count + old.count }

    public mutating func value(for key: Key) -> Value? {
        if let value = young[key] { return value }
        guard let value = old.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    public mutating func insert(_ value: Value, for key: Key) {
        if young.count >= capacity / 2 {
            old = young
            young = Dictionary(minimumCapacity: capacity / 2)
        }
        young[key] = value
    }

    public mutating func removeAll() {
        young.removeAll(keepingCapacity: true)
        old.removeAll()
    }
}
