import RouteLang

// MARK: - DelegationError

/// Why a name could not be delegated at all (as opposed to binding to neg,
/// fail or empty, which are answers).
public struct DelegationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// More than `Delegator.maxDepth` rewrites: a loop. `chain` is the
        /// repeating part when one was found, else the whole chain.
        case loop(chain: [Path])
    }

    public var kind: Kind

    public var description: String {
        switch kind {
        case .loop(let chain):
            return "delegation loop: " + chain.map(\.show).joined(separator: " -> ")
                + " (more than \(Delegator.maxDepth) rewrites)"
        }
    }
}
