@testable import Engine
import RouteLang
import XCTest

// MARK: - Test support

/// An in-memory namer: `/#/n/<service>` binds to fixed endpoints; a service
/// mapped to a path string is delegated again (a rewriting namer).
struct MemoryNamer: Namer {
    var name: String
    var services: [String: [Endpoint]]
    var rewrites: [String: Path] = [:]

    func lookup(_ path: Path) -> NameTree<NamerResult> {
        guard let service = path.labels.first else { return .neg }
        if let target = rewrites[service] { return .leaf(.path(target.appending(path.dropFirst(1)))) }
        guard let endpoints = services[service] else { return .neg }
        return .leaf(.bound(BoundName(id: Path(["#", name, service]), residual: path.dropFirst(1), endpoints: endpoints)))
    }
}

/// A namer that cannot answer (an unreachable discovery source).
struct BrokenNamer: Namer {
    func lookup(_ path: Path) throws(NamerFailure) -> NameTree<NamerResult> {
        throw NamerFailure("source unreachable")
    }
}

enum Support {
    static let namers = NamerTable([
        "broken": BrokenNamer(),
        "n": MemoryNamer(name: "n", services: [
            "a": [Endpoint(host: "10.0.0.1", port: 80)],
            "b": [Endpoint(host: "10.0.0.2", port: 80), Endpoint(host: "10.0.0.3", port: 80)],
            "e": [],
        ], rewrites: ["r": Path("#", "n", "a")]),
    ])

    static func dtab(_ text: String) throws -> Dtab {
        try DtabParser.parseDtab(text).get()
    }

    static func path(_ text: String) throws -> Path {
        try DtabParser.parsePath(text).get()
    }

    static func bind(_ dtab: String, _ path: String, budget: Int = Delegator.defaultBudget) throws -> Delegator.Resolution {
        Delegator(dtab: try self.dtab(dtab), namers: namers, budget: budget).bind(try self.path(path))
    }

    /// A snapshot of RouteLang text whose namer `n` is the static one above.
    static func snapshot(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> RoutingSnapshot {
        let result = RuleFrontEnd.lint(SourceFile(name: "test.routes", text: text))
        let errors = result.diagnostics.items.filter(\.isError).map(\.message)
        XCTAssertEqual(errors, [], file: file, line: line)
        return RoutingSnapshot(config: try XCTUnwrap(result.config, file: file, line: line), namers: namers)
    }
}
