import Foundation
import RouteLang
import XCTest

// MARK: - DiagnosticRendererTests

final class DiagnosticRendererTests: XCTestCase {
    let result = Support.lint("defaults {\n  balance peak-ewmaa\n}\n", name: "bad.routes")

    func testTextFormatHasLocationCodeCaretAndHelp() {
        let text = DiagnosticRenderer(format: .text).render(result.diagnostics.sorted, in: result.source)
        XCTAssertEqual(text, """
            bad.routes:2:11: error[RL0119]: unknown balancer `peak-ewmaa`
              |
            2 |   balance peak-ewmaa
              |           ^~~~~~~~~~
              = help: did you mean `peak-ewma`?

            """)
    }

    func testGitHubAnnotations() {
        let text = DiagnosticRenderer(format: .github).render(result.diagnostics.sorted, in: result.source)
        XCTAssertEqual(text, "::error file=bad.routes,line=2,col=11,endLine=2,endColumn=21,title=RL0119::"
                       + "unknown balancer `peak-ewmaa` (did you mean `peak-ewma`?)\n")
    }

    func testJSONIsParseable() throws {
        let text = DiagnosticRenderer(format: .json).render(result.diagnostics.sorted, in: result.source)
        let objects = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        XCTAssertEqual(objects.first?["code"] as? String, "RL0119")
        XCTAssertEqual(objects.first?["line"] as? Int, 2)
        XCTAssertEqual(objects.first?["help"] as? String, "did you mean `peak-ewma`?")
    }

    func testNotesPointElsewhere() {
        let duplicate = Support.lint("listen 127.0.0.1:1\nlisten 127.0.0.1:1\n", name: "d.routes")
        let text = DiagnosticRenderer().render(duplicate.diagnostics.sorted, in: duplicate.source)
        XCTAssertTrue(text.contains("= note: first declared here (at 1:8)"), text)
    }

    func testEveryCodeIsDocumented() throws {
        let docs = try String(contentsOf: Support.packageRoot.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        for code in DiagnosticCode.allCases {
            XCTAssertTrue(docs.contains(code.rawValue), "\(code.rawValue) is not in docs/diagnostics.md")
        }
    }
}
