import RouteLang
import XCTest

// MARK: - RoundTripPropertyTests

/// Properties over generated files: fmt is idempotent, keeps every comment
/// and the IR; YAML conversion there and back keeps the IR.
final class RoundTripPropertyTests: XCTestCase {
    static let iterations = 300

    func testFormatterPreservesIRAndCommentsAndIsIdempotent() {
        var generator = RuleGenerator(random: SeededGenerator(seed: 0x5EED))
        for iteration in 0..<Self.iterations {
            let text = generator.file()
            let (file, diagnostics) = Parser.parse(SourceFile(name: "gen.routes", text: text))
            guard !diagnostics.hasErrors else {
                XCTFail("iteration \(iteration): generated file does not parse: \(diagnostics.items.map(\.message))\n\(text)")
                continue
            }
            let formatted = Formatter.format(file)
            let (reparsed, again) = Parser.parse(SourceFile(name: "fmt.routes", text: formatted))
            XCTAssertFalse(again.hasErrors, "iteration \(iteration): formatted text does not parse:\n\(formatted)")
            XCTAssertEqual(Compiler.compile(reparsed), Compiler.compile(file), "iteration \(iteration): IR changed:\n\(text)\n---\n\(formatted)")
            XCTAssertEqual(Formatter.format(reparsed), formatted, "iteration \(iteration): fmt is not idempotent:\n\(text)")
            for comment in file.comments {
                XCTAssertTrue(formatted.contains(comment.text), "iteration \(iteration): lost `\(comment.text)`")
            }
        }
    }

    func testYAMLConversionPreservesIR() throws {
        var generator = RuleGenerator(random: SeededGenerator(seed: 0xCAFE))
        for iteration in 0..<Self.iterations {
            let text = generator.file()
            let (file, diagnostics) = Parser.parse(SourceFile(name: "gen.routes", text: text))
            guard !diagnostics.hasErrors else { continue }
            let yaml = try YAMLEmitter.emit(file)
            let (fromYAML, yamlDiagnostics) = YAMLFrontEnd.parse(SourceFile(name: "gen.yaml", text: yaml))
            XCTAssertFalse(yamlDiagnostics.hasErrors,
                           "iteration \(iteration): \(yamlDiagnostics.items.map(\.message))\n\(text)\n---\n\(yaml)")
            XCTAssertEqual(Compiler.compile(fromYAML), Compiler.compile(file), "iteration \(iteration):\n\(text)\n---\n\(yaml)")
            let routes = Formatter.format(fromYAML, layout: .generated)
            let (back, backDiagnostics) = Parser.parse(SourceFile(name: "back.routes", text: routes))
            XCTAssertFalse(backDiagnostics.hasErrors, "iteration \(iteration):\n\(routes)")
            XCTAssertEqual(Compiler.compile(back), Compiler.compile(file), "iteration \(iteration):\n\(routes)")
        }
    }
}
