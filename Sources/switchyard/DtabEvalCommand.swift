import ArgumentParser
import Engine
import RouteLang

// MARK: - DtabEvalCommand

/// `switchyard dtab eval TREE`: Finagle's `NameTree.eval`.
struct DtabEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a name tree to its leaf set (`none` for neg and fail)."
    )

    @Argument(help: "A name tree such as '~ | /a & /b'.")
    var tree: String

    func run() throws {
        let parsed = try DtabCommand.parse(DtabParser.parseTree(tree))
        guard let leaves = parsed.eval() else {
            Output.out("none\n")
            return
        }
        Output.out("{" + leaves.sorted().map(\.show).joined(separator: ", ") + "}\n")
    }
}
