import Foundation
import Logging
import NIOConcurrencyHelpers

// MARK: - AccessLog

/// `access-log "FILE"`: one JSON line per answered request (time, route,
/// logical name, destination, endpoint, status, duration, attempts, request
/// and trace id). The request path only appends a line to a buffer under a
/// lock; a background task writes the buffer out every 100 ms, so a slow
/// disk never holds a request.
public final class AccessLog: Sendable {
    public let path: String
    private let buffer = NIOLockedValueBox<[UInt8]>([])
    private let handle: FileHandle?
    private let flusher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// A buffer past this is dropped (and counted) rather than grown: the log never costs unbounded memory.
    static let maxBuffered = 8 << 20

    public struct Line: Sendable {
        public var route: String
        public var name: String
        public var destination: String
        public var endpoint: String?
        public var method: String
        public var host: String?
        public var path: String
        public var status: Int
        public var durationMs: Double
        public var attempts: Int
        public var requestID: String
        /// What the client spoke: `HTTP/1.0`, `HTTP/1.1` or `HTTP/2`.
        public var protocolVersion: String
        /// The gRPC status the call ended with (head or trailers), when one came.
        public var grpcStatus: Int? = nil
    }

    /// Opens `path` for appending (`-`: standard output); nil with the reason when it cannot be opened.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
        } else {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw RuleFileError(path: path, reason: "the access log cannot be created")
                }
            }
            guard let opened = FileHandle(forWritingAtPath: path) else {
                throw RuleFileError(path: path, reason: "the access log cannot be opened for writing")
            }
            opened.seekToEndOfFile()
            handle = opened
        }
        let flusher = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                self?.flush()
            }
        }
        self.flusher.withLockedValue { $0 = flusher }
    }

    /// Appends one request's line.
    func append(_ line: Line, at date: Date = Date()) {
        var text = "{\"time\":\"\(Self.timestamp(date))\",\"route\":\(Self.quoted(line.route)),\"name\":\(Self.quoted(line.name))"
        text += ",\"dst\":\(Self.quoted(line.destination)),\"endpoint\":\(line.endpoint.map(Self.quoted) ?? "null")"
        text += ",\"method\":\(Self.quoted(line.method)),\"host\":\(line.host.map(Self.quoted) ?? "null"),\"path\":\(Self.quoted(line.path))"
        text += ",\"status\":\(line.status),\"duration_ms\":\((line.durationMs * 1000).rounded() / 1000),\"attempts\":\(line.attempts)"
        text += ",\"protocol\":\"\(line.protocolVersion)\",\"grpc_status\":\(line.grpcStatus.map(String.init) ?? "null")"
        text += ",\"request_id\":\"\(line.requestID)\",\"trace_id\":\"\(line.requestID)\"}\n"
        buffer.withLockedValue { buffer in
            guard buffer.count < Self.maxBuffered else { return }
            buffer += text.utf8
        }
    }

    /// Writes out what is buffered.
    public func flush() {
        let pending = buffer.withLockedValue { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !pending.isEmpty else { return }
        handle?.write(Data(pending))
    }

    public func close() {
        flusher.withLockedValue { $0?.cancel() }
        flush()
        if path != "-" { try? handle?.close() }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20: out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
    }
}

// MARK: - AccessLogs

/// The access logs a server's configs named, each opened once and kept
/// across reloads (a reload that names another file opens that one).
public final class AccessLogs: Sendable {
    private let logs = NIOLockedValueBox<[String: AccessLog]>([:])
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The log for `path`; nil for none, or when it cannot be opened (logged: requests are served regardless).
    func log(_ path: String?) -> AccessLog? {
        guard let path else { return nil }
        return logs.withLockedValue { logs in
            if let open = logs[path] { return open }
            do {
                let opened = try AccessLog(path: path)
                logs[path] = opened
                return opened
            } catch {
                logger.error("access log not written", metadata: ["problem": "\(error)"])
                return nil
            }
        }
    }

    public func closeAll() {
        for log in logs.withLockedValue({ $0.values }) { log.close() }
    }
}
