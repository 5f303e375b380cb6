import RouteLang
import XCTest

// MARK: - PolicySwitchTests

/// `timeout none`, `attempt-timeout none`, `retry none`, `accrual none`
/// and `balance … slow-start D`: parsed, compiled, formatted and carried
/// to YAML and back without change.
final class PolicySwitchTests: XCTestCase {
    let text = """
        defaults {
          timeout 2s
          attempt-timeout 500ms
          retry on 5xx limit 3
          accrual consecutive 3
          balance least-loaded slow-start 30s
        }
        route quiet {
          to /svc/a
          timeout none
          attempt-timeout none
          retry none
          accrual none
        }
        route again {
          to /svc/b
          retry on 503
          balance peak-ewma decay 5s slow-start 10s
        }

        """

    func testNoneTurnsOffWhatDefaultsGive() throws {
        let config = try XCTUnwrap(Support.lint(text).config)
        XCTAssertEqual(config.defaults.slowStart, .seconds(30))
        let quiet = config.routes[0].policy
        XCTAssertNil(quiet.timeout)
        XCTAssertNil(quiet.attemptTimeout)
        XCTAssertEqual(quiet.retry, .disabled)
        XCTAssertEqual(quiet.accrual.mode, .disabled)
        XCTAssertEqual(quiet.slowStart, .seconds(30), "inherited")
        let again = config.routes[1].policy
        XCTAssertEqual(again.retry.limit, 3, "a route's own retry keeps the defaults' options")
        XCTAssertEqual(again.balance, .peakEWMA(decay: .seconds(5), defaultRTT: BalancePolicy.defaultRTT))
        XCTAssertEqual(again.slowStart, .seconds(10))
    }

    func testFormatAndYAMLRoundTrip() throws {
        let routes = Support.lint(text)
        XCTAssertEqual(Formatter.format(Support.parse(text)), text)
        let yaml = try YAMLEmitter.emit(routes.file)
        XCTAssertTrue(yaml.contains("retry: none"), yaml)
        XCTAssertTrue(yaml.contains("slow-start: 30s"), yaml)
        let back = Support.lint(yaml, name: "t.yaml")
        XCTAssertEqual(try XCTUnwrap(back.config), try XCTUnwrap(routes.config))
    }

    func testSlowStartMustBePositiveAndNoneStandsAlone() {
        let codes = Support.lint("route r {\n  to /svc/a\n  balance round-robin slow-start 0s\n}\n").diagnostics.sorted.map(\.code)
        XCTAssertTrue(codes.contains(.valueOutOfRange), "\(codes)")
        let trailing = Support.lint("route r {\n  to /svc/a\n  retry none limit 2\n}\n").diagnostics.sorted.map(\.code)
        XCTAssertFalse(trailing.isEmpty, "`retry none` takes no options")
    }
}
