import RouteLang

// MARK: - Path byte hashing

extension Path {
    /// Hashes the labels' UTF-8 bytes. String's own hashing normalises
    /// Unicode first and was a quarter of a binding's time. Labels that are
    /// equal only after normalisation (composed and decomposed accents) hash
    /// apart: for a cache key that costs a miss, never a wrong answer.
    func hashBytes(into hasher: inout Hasher) {
        for label in labels {
            label.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(UInt8(0))
        }
    }
}
