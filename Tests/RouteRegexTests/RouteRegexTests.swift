import Foundation
import RouteRegex
import XCTest

/// PCRE2 through RouteRegex: the syntax routes use, errors the checker
/// reports, and the bound on backtracking.
final class RouteRegexTests: XCTestCase {
    // MARK: Matching

    func testMatchesAnywhereUnlessAnchored() throws {
        let partial = try RouteRegex("^curl/")
        XCTAssertTrue(partial.matches("curl/8.5.0"))
        XCTAssertFalse(partial.matches("Mozilla/5.0 curl/8"))
        let inner = try RouteRegex("[0-9]+")
        XCTAssertTrue(inner.matches("/users/42/profile"))
        XCTAssertFalse(inner.matches("/users/me"))
    }

    func testWholeSubjectAnchoringAndEmptySubject() throws {
        let whole = try RouteRegex("^(?:/-/(ready|live))\\z")
        XCTAssertTrue(whole.matches("/-/ready"))
        XCTAssertFalse(whole.matches("/-/ready/x"))
        XCTAssertFalse(whole.matches("/-/ready\n"))
        XCTAssertTrue(try RouteRegex("^$").matches(""))
        XCTAssertFalse(try RouteRegex("x").matches(""))
    }

    func testUnicodeAwareClassesAsInICU() throws {
        // \w and \d cover non-ASCII letters and digits (PCRE2_UCP), and `.` is one code point.
        XCTAssertTrue(try RouteRegex("^\\w+$").matches("grüße"))
        XCTAssertTrue(try RouteRegex("^\\d$").matches("٣"))
        XCTAssertTrue(try RouteRegex("^/caf.$").matches("/café"))
        XCTAssertTrue(try RouteRegex("(?i)^/API/").matches("/api/v1"))
        XCTAssertTrue(try RouteRegex("^/(?<version>v[0-9]+)/").matches("/v2/items"))
    }

    func testManyThreadsShareOneCompiledPattern() throws {
        let regex = try RouteRegex("^/v[0-9]+/items/[0-9]+/[a-z]+$")
        let mismatches = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for index in 0..<2_000 {
                let good = regex.matches("/v\(worker)/items/\(index)/view")
                let bad = regex.matches("/v\(worker)/items/\(index)/VIEW")
                if !good || bad { mismatches.increment() }
            }
        }
        XCTAssertEqual(mismatches.value, 0)
    }

    // MARK: Errors and limits

    func testSyntaxErrorsCarryPCRE2sMessageAndOffset() {
        XCTAssertThrowsError(try RouteRegex("/(unclosed")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing closing parenthesis"), text)
            XCTAssertTrue(text.contains("offset 10"), text)
        }
        XCTAssertThrowsError(try RouteRegex("a{2,1}"))
        XCTAssertThrowsError(try RouteRegex("[z-a]"))
    }

    func testCatastrophicBacktrackingStopsAtTheLimitAsNoMatch() throws {
        // (a|a)+ against a long run of a's and a final b is exponential without a limit.
        let evil = try RouteRegex("^(a|a)+$", jit: true)
        let subject = String(repeating: "a", count: 40) + "b"
        XCTAssertFalse(evil.matches(subject))
        XCTAssertTrue(evil.matches(String(repeating: "a", count: 40)))
    }
}

/// A lock-protected counter for the threads test.
private final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
