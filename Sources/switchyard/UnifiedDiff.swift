import Foundation

// MARK: - UnifiedDiff

/// A unified diff of two texts, for `fmt --check`. It runs the system
/// `diff -u` (diffutils is part of every Debian install) on temporary files.
enum UnifiedDiff {
    static func diff(old: String, new: String, path: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-fmt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let before = directory.appendingPathComponent("before")
            let after = directory.appendingPathComponent("after")
            try Data(old.utf8).write(to: before)
            try Data(new.utf8).write(to: after)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["diff", "-u", "--label", "\(path) (current)", "--label", "\(path) (formatted)", before.path, after.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        } catch {
            return "\(path): not in canonical form (diff unavailable: \(error))\n"
        }
    }
}
