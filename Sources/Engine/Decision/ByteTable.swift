import Glibc

// MARK: - ByteTable

/// A hash table from byte strings (hosts, path segments, paths from the
/// rule file) to values, looked up with a slice of the request's bytes
/// without copying or normalising it: FNV-1a over the bytes, open
/// addressing, a byte compare to confirm.
///
/// String and Substring keys in a Dictionary cost the decision tree most
/// of its time per request (SipHash plus Unicode-aware equality on every
/// probe). The keys here come from the rule file only; a request never
/// inserts one, so a client cannot fill or flood the table, and a probe
/// that collides is settled by comparing lengths and bytes.
struct ByteTable<Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64
        var key: [UInt8]
        var value: Value
    }

    private var slots: [Slot?] = Array(repeating: nil, count: 8)
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    private static func same(_ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        key.withUnsafeBufferPointer { stored in
            stored.isEmpty || memcmp(stored.baseAddress!, bytes.baseAddress!, stored.count) == 0
        }
    }

    /// The value stored under `bytes`.
    func value(for bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        guard count > 0 else { return nil }
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash, slot.key.count == bytes.count, Self.same(slot.key, bytes) { return slot.value }
            index = (index + 1) & mask
        }
        return nil
    }

    func value(for key: String) -> Value? {
        key.withUTF8Bytes { value(for: $0) }
    }

    /// Reads, creates or changes the value under a key (building only).
    subscript(key: String, default defaultValue: @autoclosure () -> Value) -> Value {
        get { value(for: key) ?? defaultValue() }
        set { set(newValue, for: Array(key.utf8)) }
    }

    subscript(key: String) -> Value? {
        get { value(for: key) }
        set {
            guard let newValue else { preconditionFailure("ByteTable does not remove keys") }
            set(newValue, for: Array(key.utf8))
        }
    }

    /// Every key, in no particular order (to finish building).
    var keys: [String] { slots.compactMap { $0.map { String(decoding: $0.key, as: UTF8.self) } } }

    private mutating func set(_ value: Value, for key: [UInt8]) {
        let hash = key.withUnsafeBufferPointer(Self.hash)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash, slot.key == key {
                slots[index]!.value = value
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(hash: hash, key: key, value: value)
        count += 1
        if count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        count = 0
        for case let slot? in old { set(slot.value, for: slot.key) }
    }
}
