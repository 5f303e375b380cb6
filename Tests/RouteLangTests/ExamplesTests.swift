import RouteLang
import XCTest

// MARK: - ExamplesTests

/// Every example lints clean, formats to itself (FormatterTests) and
/// converts to the other syntax and back without changing its IR.
final class ExamplesTests: XCTestCase {
    func testExamplesExist() {
        let names = Set(Support.exampleNames)
        for required in ["quickstart.routes", "quickstart.yaml", "canary.routes", "failover.routes", "slices.routes"] {
            XCTAssertTrue(names.contains(required), "missing examples/\(required)")
        }
    }

    func testEveryExampleConvertsRoundTrip() throws {
        for name in Support.exampleNames {
            let original = RuleFrontEnd.lint(try Support.example(name))
            let config = try XCTUnwrap(original.config, name)
            let yaml = try YAMLEmitter.emit(original.file)
            let fromYAML = RuleFrontEnd.lint(SourceFile(name: "converted.yaml", text: yaml))
            XCTAssertEqual(Support.lines(fromYAML), [], "\(name) as YAML:\n\(yaml)")
            XCTAssertEqual(fromYAML.config, config, "\(name): IR changed through YAML")
            let routes = Formatter.format(fromYAML.file, layout: .generated)
            let back = RuleFrontEnd.lint(SourceFile(name: "back.routes", text: routes))
            XCTAssertEqual(Support.lines(back), [], "\(name) back to RouteLang:\n\(routes)")
            XCTAssertEqual(back.config, config, "\(name): IR changed through YAML and back")
        }
    }

    func testQuickstartTwinsHaveTheSameIR() throws {
        let routes = RuleFrontEnd.lint(try Support.example("quickstart.routes"))
        let yaml = RuleFrontEnd.lint(try Support.example("quickstart.yaml"))
        XCTAssertNotNil(routes.config)
        XCTAssertEqual(routes.config, yaml.config)
    }
}
