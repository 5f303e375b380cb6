// MARK: - Splits

extension Checker {
    /// One split per name; percentages add up to 100%.
    mutating func checkSplits() {
        var seen: [Path: SourceRange] = [:]
        for case .split(let decl) in file.statements {
            if let first = seen[decl.path.value] {
                error(.duplicateSplit, "`\(decl.path.text)` is split twice", at: decl.path.range,
                      notes: [Diagnostic.Note("first split here", at: first)])
            }
            seen[decl.path.value] = seen[decl.path.value] ?? decl.path.range
            if decl.entries.isEmpty {
                error(.valueOutOfRange, "split `\(decl.path.text)` has no destinations", at: decl.range)
                continue
            }
            let percents = decl.entries.filter(\.isPercent)
            if !percents.isEmpty {
                let total = percents.reduce(0) { $0 + $1.weight.value }
                if percents.count != decl.entries.count {
                    // `50 /a  50% /b` is 50 : 0.5 (99/1), never what was meant.
                    let plain = decl.entries.first { !$0.isPercent }!
                    let rewritten = decl.entries.map { "\(WeightFormat.shortest($0.weight.value))% \($0.target.text)" }.joined(separator: "  ")
                    error(.mixedWeights, "split `\(decl.path.text)` mixes percentages and plain weights: `\(plain.weight.text)` "
                            + "is not a percentage, so it weighs 100 times as much as `\(plain.weight.text)%` would",
                          at: plain.weight.range, help: "write every weight as a percentage: `split \(decl.path.text) { \(rewritten) }`")
                } else if abs(total - 100) > 1e-9 {
                    warning(.splitWeightsNot100, "split `\(decl.path.text)` weights add up to \(WeightFormat.shortest(total))%, not 100%",
                            at: decl.path.range, help: "weights are relative, so traffic still splits in proportion; make them add up to 100% to say what you mean")
                }
            }
            for entry in decl.entries where entry.weight.value == 0 {
                warning(.splitWeightsNot100, "`\(entry.target.text)` gets no traffic (weight 0)", at: entry.weight.range)
            }
        }
    }
}
