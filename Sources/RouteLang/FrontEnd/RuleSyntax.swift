// MARK: - RuleSyntax

/// The two spellings of a rule file.
public enum RuleSyntax: String, Sendable, CaseIterable {
    case routes
    case yaml

    /// `.yaml` and `.yml` files are YAML; everything else is RouteLang.
    public init(fileName: String) {
        let lower = fileName.lowercased()
        self = lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") ? .yaml : .routes
    }
}
