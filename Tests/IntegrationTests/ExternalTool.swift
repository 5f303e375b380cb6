import Foundation

// MARK: - ExternalTool

/// Runs a real client the tests drive (curl, h2load, nghttp, Python peers)
/// through `env`, and returns what it wrote to standard output.
enum ExternalTool {
    static func output(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    static func text(_ arguments: [String]) throws -> String {
        String(decoding: try output(arguments), as: UTF8.self)
    }
}
