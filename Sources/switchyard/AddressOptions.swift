import ArgumentParser
import Proxy
import RouteLang

// MARK: - AddressOptions

/// `--listen ADDR` (repeatable) and `--admin ADDR`, shared by `run` and
/// `demo`: where to listen instead of what the rule file says.
struct AddressOptions: ParsableArguments {
    @Option(name: .long, help: "Listen here instead of the rule file's address (HOST:PORT); repeat for further `listen` lines, in order.")
    var listen: [String] = []

    @Option(name: .long, help: "Serve the admin API here instead of the rule file's address (HOST:PORT).")
    var admin: String?

    func validate() throws {
        _ = try overrides()
    }

    func overrides() throws -> AddressOverrides {
        AddressOverrides(listeners: try listen.map(Self.address), admin: try admin.map(Self.address))
    }

    static func address(_ text: String) throws -> SocketAddress {
        switch LiteralParser.address(text) {
        case .success(let address): return address
        case .failure(let problem): throw ValidationError("`\(text)`: \(problem.message)")
        }
    }
}
