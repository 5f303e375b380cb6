import Foundation
import Logging

// MARK: - LineLogHandler

/// The proxy's log format: one line per event, message first, then the
/// fields as `key=value` (logfmt), sorted, so that a reload, an eviction or
/// a rejected file is one line a person reads left to right and a log
/// pipeline splits without a parser of its own. Values with spaces, quotes
/// or line breaks are quoted and escaped, so a multi-line diagnostic still
/// makes one line.
///
///     2026-12-07T16:56:44.123Z info configuration reloaded generation=2 trigger=SIGHUP
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let write: @Sendable (String) -> Void

    /// Lines go to standard error.
    public init(level: Logger.Level) {
        self.init(level: level) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    public init(level: Logger.Level, write: @escaping @Sendable (String) -> Void) {
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata.merging(event.metadata ?? [:]) { $1 }
        if let error = event.error { fields["error"] = "\(error)" }
        write(Self.format(level: event.level, message: event.message.description, metadata: fields, at: Date()))
    }

    // MARK: Formatting

    static func format(level: Logger.Level, message: String, metadata: Logger.Metadata, at date: Date) -> String {
        var line = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)) + "Z "
        line += level.rawValue + " " + Self.escapedMessage(message)
        for key in metadata.keys.sorted() {
            line += " " + key + "=" + Self.value("\(metadata[key]!)")
        }
        return line + "\n"
    }

    /// A value as is when it is one plain word, else quoted and escaped
    /// as a JSON string (the access log's quoting).
    static func value(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7f }
        return plain ? text : AccessLog.quoted(text)
    }

    /// The message as written, its line breaks escaped.
    static func escapedMessage(_ text: String) -> String {
        text.contains(where: \.isNewline) ? String(AccessLog.quoted(text).dropFirst().dropLast()) : text
    }
}
