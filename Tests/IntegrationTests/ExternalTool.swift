import Foundation

// MARK: - ExternalTool

/// Runs a real client the tests drive (curl, h2load, nghttp, Python peers)
/// through `env`, and returns what it wrote to standard output.
enum ExternalTool {
    static func output(_ arguments: [String]) throws -> Data {
        try launch(arguments).output()
    }

    /// A tool running in the background, its standard output in a pipe.
    struct Running {
        let process: Process
        let out: Pipe

        /// All it writes, once it has exited.
        func output() -> Data {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return data
        }
    }

    static func launch(_ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        return Running(process: process, out: out)
    }

    static func text(_ arguments: [String]) throws -> String {
        String(decoding: try output(arguments), as: UTF8.self)
    }

    /// Starts a server that prints `NAME=PORT …` on its first line, and
    /// returns the process (to kill with `stop`) and the ports by name.
    static func server(_ arguments: [String]) throws -> (process: Process, ports: [String: Int]) {
        let running = try launch(arguments)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = running.out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        var ports: [String: Int] = [:]
        for pair in String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let port = Int(parts[1]) { ports[String(parts[0])] = port }
        }
        return (running.process, ports)
    }

    /// Ends a process `server` started (Python servers ignore SIGTERM while serving).
    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
