@testable import Engine
import XCTest

// MARK: - BoundedCacheTests

final class BoundedCacheTests: XCTestCase {
    func testNeverHoldsMoreThanItsCapacity() {
        var cache = BoundedCache<Int, Int>(capacity: 100)
        for key in 0..<1_000 {
            cache.insert(key, for: key)
            XCTAssertLessThanOrEqual(cache.count, 100)
        }
        XCTAssertGreaterThanOrEqual(cache.count, 50, "eviction drops half, not everything")
    }

    func testEntriesInUseSurviveAFloodOfOneOffKeys() {
        var cache = BoundedCache<String, Int>(capacity: 100)
        cache.insert(1, for: "hot")
        for key in 0..<10_000 {
            cache.insert(key, for: "cold-\(key)")
            // Used now and then (here every 40 misses, under half the capacity).
            if key % 40 == 0 { XCTAssertEqual(cache.value(for: "hot"), 1, "after \(key) one-off keys") }
        }
        XCTAssertEqual(cache.value(for: "hot"), 1)
        XCTAssertNil(cache.value(for: "cold-0"), "an entry not used since is forgotten")
        XCTAssertEqual(cache.value(for: "cold-9999"), 9_999)
    }

    func testRemoveAllEmptiesBothGenerations() {
        var cache = BoundedCache<Int, Int>(capacity: 4)
        for key in 0..<3 { cache.insert(key, for: key) }
        cache.removeAll()
        XCTAssertEqual(cache.count, 0)
        XCTAssertNil(cache.value(for: 0))
    }
}
