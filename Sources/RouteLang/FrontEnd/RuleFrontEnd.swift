// MARK: - RuleFrontEnd

/// The whole front end in one call: parse (either syntax), check, compile.
///
/// The checker runs only on a file that parsed without errors, so a missing
/// statement does not cause follow-on errors; the compiler runs only on a
/// file with no errors at all.
public enum RuleFrontEnd {
    public static func parse(_ source: SourceFile, syntax: RuleSyntax? = nil, errorLimit: Int? = nil) -> (RuleFile, Diagnostics) {
        switch syntax ?? RuleSyntax(fileName: source.name) {
        case .routes: return Parser.parse(source, errorLimit: errorLimit)
        case .yaml: return YAMLFrontEnd.parse(source, errorLimit: errorLimit)
        }
    }

    public static func lint(_ source: SourceFile, syntax: RuleSyntax? = nil, errorLimit: Int? = nil) -> LintResult {
        var (file, diagnostics) = parse(source, syntax: syntax, errorLimit: errorLimit)
        if !diagnostics.hasErrors {
            diagnostics.append(contentsOf: Checker.check(file))
        }
        let config = diagnostics.hasErrors ? nil : Compiler.compile(file)
        return LintResult(file: file, diagnostics: diagnostics, config: config)
    }
}

// MARK: - LintResult

public struct LintResult: Sendable {
    public var file: RuleFile
    public var diagnostics: Diagnostics
    /// The compiled config, present when the file has no errors.
    public var config: RoutingConfig?

    public init(file: RuleFile, diagnostics: Diagnostics, config: RoutingConfig?) {
        self.file = file
        self.diagnostics = diagnostics
        self.config = config
    }

    public var source: SourceFile { file.source }
    public var hasErrors: Bool { diagnostics.hasErrors }
}
