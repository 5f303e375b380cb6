import Engine
import RouteLang

// MARK: - SwitchyardBench

/// Release-mode benchmarks: `lint` measures parse + check + compile + loop
/// checks of generated rule files; `route` measures decision plus delegation
/// per request (warm cache) and snapshot compile time; `delegation` the cost
/// of one uncached binding, hostile dtabs included.
@main
enum SwitchyardBench {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first ?? "lint" {
        case "lint":
            let iterations = arguments.dropFirst().first.flatMap { Int($0) } ?? 15
            lint(iterations: iterations)
        case "route":
            RoutingBenchmark.run(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 15)
        case "delegation":
            DelegationBenchmark.run(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 50)
        case "dataplane":
            DataPlaneBenchmark.run(iterations: arguments.dropFirst().first.flatMap { Int($0) } ?? 15)
        case "route-loop":
            RoutingBenchmark.loop(count: arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000,
                                  withRegex: arguments.dropFirst(2).first != "no-regex")
        case "check-loop":
            // Only the checker, repeatedly, for a profiler.
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: 10_000))
            let (file, _) = Parser.parse(source)
            for _ in 0..<20 { _ = Checker.check(file) }
        case "parse-loop":
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: 10_000))
            for _ in 0..<20 { _ = Parser.parse(source) }
        case "lint-once":
            // One lint of a generated file, for instruction counts under callgrind.
            let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: count))
            print(RuleFrontEnd.lint(source).config != nil ? "ok" : "errors")
        case "lint-file-once":
            // The whole lint (RuleLinter) of a generated file once, for whole-process timing.
            let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: count))
            print(RuleLinter.lint(source).config != nil ? "ok" : "errors")
        case "delegation-lint-once":
            // The delegation checks of a generated file once, for callgrind.
            let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
            let source = SourceFile(name: "generated.routes", text: RuleFileGenerator.routes(count: count))
            let result = RuleFrontEnd.lint(source)
            guard let config = result.config else { print("errors"); return }
            print(DelegationLint(file: result.file, config: config).diagnostics().count)
        default:
            print("usage: switchyard-bench lint [ITERATIONS] | route [ITERATIONS] | delegation [ITERATIONS] | lint-once [ROUTES] | lint-file-once [ROUTES] | delegation-lint-once [ROUTES]")
        }
    }

    static func lint(iterations: Int) {
        for count in [100, 1_000, 10_000] {
            let text = RuleFileGenerator.routes(count: count)
            let source = SourceFile(name: "generated-\(count).routes", text: text)
            let check = RuleFrontEnd.lint(source)
            guard check.config != nil, check.diagnostics.items.isEmpty else {
                print("generated file has diagnostics: \(check.diagnostics.items.prefix(3).map(\.message))")
                return
            }
            let lines = source.lineStarts.count
            print(Measurement("lint \(count) routes (\(lines) lines, \(source.bytes.count / 1024) KiB)", iterations: iterations) {
                _ = RuleLinter.lint(source)
            }.report)
            if count == 10_000 {
                print(Measurement("  parse only", iterations: iterations) { _ = Parser.parse(source) }.report)
                let (file, _) = Parser.parse(source)
                print(Measurement("  check only", iterations: iterations) { _ = Checker.check(file) }.report)
                let config = Compiler.compile(file)
                print(Measurement("  compile only", iterations: iterations) { _ = Compiler.compile(file) }.report)
                print(Measurement("  delegation checks (loops) only", iterations: iterations) {
                    _ = DelegationLint(file: file, config: config).diagnostics()
                }.report)
                print(Measurement("  fmt", iterations: iterations) { _ = Formatter.format(file) }.report)
            }
        }
    }
}
