@testable import Engine
import XCTest

// MARK: - ByteTableTests

final class ByteTableTests: XCTestCase {
    func testFindsEveryKeyBySliceAndNothingElse() {
        var table = ByteTable<Int>()
        let keys = (0..<5_000).map { "svc\($0).example.com" } + ["", "a", "é", "e\u{301}"]
        for (value, key) in keys.enumerated() { table[key] = value }
        XCTAssertEqual(table.count, keys.count)
        for (value, key) in keys.enumerated() {
            XCTAssertEqual(table.value(for: key), value, key)
            // A slice of a longer text, as the decision tree looks hosts and segments up.
            var text = "www." + key + "/rest"
            let found = text.withUTF8 { bytes in table.value(for: UnsafeBufferPointer(rebasing: bytes[4..<(4 + key.utf8.count)])) }
            XCTAssertEqual(found, value, key)
        }
        XCTAssertNil(table.value(for: "svc5000.example.com"))
        XCTAssertNil(table.value(for: "svc1.example.co"))
        XCTAssertNotEqual(table.value(for: "é"), table.value(for: "e\u{301}"), "bytes, not canonical equivalence")
    }

    func testSettingAKeyAgainReplacesItsValue() {
        var table = ByteTable<[Int]>()
        table["/a", default: []].append(1)
        table["/a", default: []].append(2)
        XCTAssertEqual(table.value(for: "/a"), [1, 2])
        XCTAssertEqual(table.count, 1)
        XCTAssertEqual(table.keys, ["/a"])
    }
}
