import Foundation
@testable import Proxy
import NIOCore
import XCTest

// MARK: - LogLineTests

/// One line per event, message first (logfmt), and the cap on
/// `request failed` lines at info.
final class LogLineTests: XCTestCase {
    func testOneLineMessageFirstFieldsSortedAndQuoted() {
        let line = LineLogHandler.format(level: .error, message: "configuration rejected; the previous one keeps serving",
                                         metadata: ["trigger": "SIGHUP", "errors": "1",
                                                    "first": "rules.routes:1:1: error[RL0101]: unknown statement `bogus`\nmore"],
                                         at: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(line, "1970-01-01T00:00:00.000Z error configuration rejected; the previous one keeps serving errors=1 "
                       + "first=\"rules.routes:1:1: error[RL0101]: unknown statement `bogus`\\nmore\" trigger=SIGHUP\n")
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        XCTAssertEqual(LineLogHandler.value("a=b"), "\"a=b\"")
        XCTAssertEqual(LineLogHandler.value(""), "\"\"")
        XCTAssertEqual(LineLogHandler.value("/#/disco/shop-b"), "/#/disco/shop-b")
    }

    func testFailedRequestLinesAreCappedPerSecond() {
        var limit = LogRateLimit(perSecond: 3)
        let second: UInt64 = 1_000_000_000
        let first = (0..<5).map { limit.admit(now: 10 * second + UInt64($0)) }
        XCTAssertEqual(first.map(\.info), [true, true, true, false, false])
        let next = limit.admit(now: 11 * second + 1)
        XCTAssertTrue(next.info)
        XCTAssertEqual(next.heldBack, 2, "the first line of the next second says how many were held back")
        XCTAssertEqual(limit.admit(now: 11 * second + 2).heldBack, 0)
    }
}

// MARK: - RequestIDTests

/// `l5d-reqid` ids: 32 lower-case hex digits, distinct, written in place.
final class RequestIDTests: XCTestCase {
    func testIdsAreThirtyTwoHexDigitsAndDistinct() {
        var ids = RequestID()
        let made = (0..<100).map { _ in ids.next().description }
        XCTAssertEqual(Set(made).count, 100)
        for id in made {
            XCTAssertEqual(id.utf8.count, 32)
            XCTAssertTrue(id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }, id)
        }
        XCTAssertEqual(RequestID.hex(0x0123_4567_89ab_cdef), "0123456789abcdef")
        XCTAssertEqual(ids.nextSpan().utf8.count, 16)
        let id = TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
        XCTAssertEqual(TraceID(hex: id.description), id)
        XCTAssertEqual(TraceID(hex: "0123456789ABCDEFfedcba9876543210"), id, "upper-case digits read too")
        XCTAssertNil(TraceID(hex: "0123456789abcdef"), "64 bits is not a trace id")
        XCTAssertNil(TraceID(hex: "0123456789abcdefxedcba9876543210"))
        var buffer = ByteBuffer()
        id.write(into: &buffer)
        XCTAssertEqual(String(buffer: buffer), "0123456789abcdeffedcba9876543210")
    }
}
