import RouteLang

// MARK: - RuleLinter

/// The whole lint: RouteLang's front end (parse, check, compile), then the
/// checks that need the Engine's delegation semantics (loops). `lint`,
/// `run`, reloads, `explain` and `test` all read rule files through here,
/// so a file that lints with an error is never served.
public enum RuleLinter {
    /// - Parameter keepingLoops: keep the compiled config when only the
    ///   delegation checks found errors, so `explain` can show the loop a
    ///   request runs into (everything that serves traffic leaves it off).
    public static func lint(_ source: SourceFile, errorLimit: Int? = nil, keepingLoops: Bool = false) -> LintResult {
        var result = RuleFrontEnd.lint(source, errorLimit: errorLimit)
        guard let config = result.config else { return result }
        result.diagnostics.append(contentsOf: DelegationLint(file: result.file, config: config).diagnostics())
        if result.diagnostics.hasErrors, !keepingLoops { result.config = nil }
        return result
    }
}
