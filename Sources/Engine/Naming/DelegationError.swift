import RouteLang

// MARK: - DelegationError

/// Why a name could not be delegated at all (as opposed to binding to neg,
/// fail or empty, which are answers). Any error met while binding any
/// branch fails the whole binding: it is never dropped the way a neg
/// branch is, so a loop or a broken namer cannot silently shift traffic.
public struct DelegationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// More than `Delegator.maxDepth` rewrites. `chain` is the repeating
        /// part when one was found, else the last names of the chain.
        case loop(chain: [Path])
        /// The binding visited more than `budget` nodes (a dtab whose work
        /// grows faster than its depth, such as a union that names itself).
        case budgetExceeded(budget: Int, chain: [Path])
        /// The request path's time limit passed after `steps` nodes.
        case tooSlow(steps: Int, chain: [Path])
        /// A namer could not answer for `prefix`.
        case namer(prefix: Path, message: String)
    }

    public var kind: Kind

    public init(kind: Kind) {
        self.kind = kind
    }

    /// The names that loop, when the error is a loop or an exhausted budget.
    public var chain: [Path] {
        switch kind {
        case .loop(let chain), .budgetExceeded(_, let chain), .tooSlow(_, let chain): return chain
        case .namer: return []
        }
    }

    public var description: String {
        switch kind {
        case .loop(let chain):
            return "delegation loop: " + Self.show(chain) + " (more than \(Delegator.maxDepth) rewrites)"
        case .budgetExceeded(let budget, let chain):
            return "delegation exceeded its work budget of \(budget) steps: " + Self.show(chain)
        case .tooSlow(let steps, let chain):
            return "delegation exceeded its time budget of \(DurationFormat.show(Delegator.requestTimeLimit)) after \(steps) steps: "
                + Self.show(chain)
        case .namer(let prefix, let message):
            return "namer \(prefix.show) failed: \(message)"
        }
    }

    /// `/a -> /b -> /a`, or `/a -> /a/x -> … ` for names that keep growing.
    static func show(_ chain: [Path]) -> String {
        let names = chain.map(\.show).joined(separator: " -> ")
        guard let last = chain.last, !chain.dropLast().contains(last) else { return names }
        return names + " -> …"
    }
}
