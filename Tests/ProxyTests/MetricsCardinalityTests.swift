@testable import Proxy
import XCTest

// MARK: - MetricsCardinalityTests

/// Label values come from requests and discovery, so the number of series
/// is capped while every request is still counted.
final class MetricsCardinalityTests: XCTestCase {
    func testNamesAndDestinationsPastTheCapCountAsOther() {
        let metrics = ProxyMetrics()
        let loop = LoopMetrics(metrics)
        let total = 2 * LoopMetrics.shortcutLimit + 100
        for index in 0..<total {
            let labels = ProxyMetrics.RequestLabels(route: "default", name: "/svc/s\(index)", destination: "/#/disco/s\(index)")
            loop.record(labels, status: 200, classification: .success, attempts: 1, nanoseconds: 1_000_000)
            loop.attempts(labels.destination).attempts.increment()
        }
        // Again, after the loop's shortcuts for the first ones were forgotten.
        for index in 0..<10 {
            let labels = ProxyMetrics.RequestLabels(route: "default", name: "/svc/s\(index)", destination: "/#/disco/s\(index)")
            loop.record(labels, status: 200, classification: .success, attempts: 1, nanoseconds: 1_000_000)
        }
        let text = metrics.exposition()
        let requestLines = text.split(separator: "\n").filter {
            $0.hasPrefix("switchyard_requests_total{") && $0.contains("status_class=\"2xx\"")
        }
        let counted = requestLines.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
        XCTAssertEqual(counted, total + 10, "every request is counted")
        XCTAssertLessThanOrEqual(requestLines.count, 2 * ProxyMetrics.maxDestinations + 1)
        XCTAssertTrue(text.contains(#"name="other""#))
        XCTAssertTrue(text.contains(#"switchyard_attempts_total{dst="other"}"#), "attempt counters are capped too")
        XCTAssertTrue(requestLines.contains { $0.contains(#"name="/svc/s3",dst="/#/disco/s3""#) && $0.hasSuffix(" 2") },
                      "a series whose shortcut was forgotten is found again")
    }
}
