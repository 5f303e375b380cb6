import Foundation
import RouteLang
import XCTest

// MARK: - FuzzTests

/// A bounded random-input run of the whole front end (the libFuzzer target
/// in bench/fuzz runs the same entry point for longer). Every input must
/// yield an AST or diagnostics: no crash, no hang. Bounded in count and time.
final class FuzzTests: XCTestCase {
    static let maxInputs = 3000
    static let timeBudget: TimeInterval = 20

    func testRandomAndMutatedInputsNeverCrash() throws {
        var random = SeededGenerator(seed: 0xF022)
        var generator = RuleGenerator(random: SeededGenerator(seed: 0xF023))
        let seeds = try Support.exampleNames.map { try Support.example($0).text } + [try Support.fixture("errors.txt")]
        let alphabet = Array("{}()[];,|&*!~$=>#\"\\/ \n\tax09.:%-_é\u{0}".unicodeScalars)
        let start = Date()
        var count = 0
        while count < Self.maxInputs, Date().timeIntervalSince(start) < Self.timeBudget {
            var scalars: [Unicode.Scalar]
            switch count % 3 {
            case 0:
                scalars = Array((seeds[count % seeds.count]).unicodeScalars)
            case 1:
                scalars = Array(generator.file(maxStatements: 6).unicodeScalars)
            default:
                scalars = (0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            }
            for _ in 0..<Int.random(in: 1...8, using: &random) where !scalars.isEmpty {
                let position = Int.random(in: 0..<scalars.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: scalars.remove(at: position)
                case 1: scalars.insert(alphabet.randomElement(using: &random)!, at: position)
                default: scalars[position] = alphabet.randomElement(using: &random)!
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            for name in ["fuzz.routes", "fuzz.yaml"] {
                let result = RuleFrontEnd.lint(SourceFile(name: name, text: text))
                if result.config != nil {
                    _ = Formatter.format(result.file)
                } else {
                    XCTAssertTrue(result.hasErrors)
                    _ = DiagnosticRenderer().render(result.diagnostics.sorted, in: result.source)
                }
            }
            _ = DtabParser.parseDtab(text)
            count += 1
        }
        XCTAssertGreaterThan(count, 100)
        print("fuzz: \(count) inputs in \(String(format: "%.1f", Date().timeIntervalSince(start)))s")
    }
}
