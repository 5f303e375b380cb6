import Engine
import XCTest

// MARK: - GRPCTimeoutTests

final class GRPCTimeoutTests: XCTestCase {
    func testParsesEveryUnitAndRefusesTheRest() {
        XCTAssertEqual(GRPCTimeout.parse("1H"), 3_600_000_000_000)
        XCTAssertEqual(GRPCTimeout.parse("2M"), 120_000_000_000)
        XCTAssertEqual(GRPCTimeout.parse("3S"), 3_000_000_000)
        XCTAssertEqual(GRPCTimeout.parse("300m"), 300_000_000)
        XCTAssertEqual(GRPCTimeout.parse("5u"), 5_000)
        XCTAssertEqual(GRPCTimeout.parse("99999999n"), 99_999_999)
        for bad in ["", "m", "10", "123456789m", "-1S", "1.5S", "10s", " 1S"] {
            XCTAssertNil(GRPCTimeout.parse(bad), bad)
        }
    }

    func testValuesKeepEightDigitsAndNeverRoundDown() {
        XCTAssertEqual(GRPCTimeout.value(nanoseconds: 1_500), "1500n")
        XCTAssertEqual(GRPCTimeout.value(nanoseconds: 2_000_000_000), "2000000u")
        XCTAssertEqual(GRPCTimeout.value(nanoseconds: 200_000_000_001), "200001m", "rounded up")
        XCTAssertEqual(GRPCTimeout.value(nanoseconds: 0), "0n")
        for nanoseconds: UInt64 in [1, 999, 123_456_789, 10_000_000_000_000] {
            let parsed = GRPCTimeout.parse(GRPCTimeout.value(nanoseconds: nanoseconds))
            XCTAssertNotNil(parsed)
            XCTAssertGreaterThanOrEqual(parsed!, nanoseconds)
        }
    }
}
