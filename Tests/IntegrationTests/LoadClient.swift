import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

// MARK: - LoadClient

/// A bounded closed-loop load generator for the chaos tests: `concurrency`
/// threads, each on a keep-alive connection (made again after an error or
/// a close), send requests until `total` were sent or `seconds` passed.
/// Every reply is recorded with its status, the backend that answered and
/// the latency; a broken connection counts as status 0.
enum LoadClient {
    struct Reply: Sendable {
        var status: Int
        var backend: String?
        var milliseconds: Double
        var headers: [String: String]
    }

    struct Run: Sendable {
        var replies: [Reply]
        var seconds: Double

        var successRate: Double { Double(replies.filter { $0.status == 200 }.count) / Double(max(1, replies.count)) }

        func share(of backend: String) -> Double {
            Double(replies.filter { $0.backend == backend }.count) / Double(max(1, replies.count))
        }

        func percentile(_ q: Double) -> Double {
            let sorted = replies.map(\.milliseconds).sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))]
        }
    }

    /// `request(i)` is the i-th request's bytes (with `Connection: keep-alive` semantics).
    /// `progress` counts replies as they come, for a test that acts mid-run.
    static func run(port: Int, total: Int, concurrency: Int, seconds: Double = 30, progress: NIOLockedValueBox<Int>? = nil,
                    request: @escaping @Sendable (Int) -> [UInt8]) -> Run {
        let next = NIOLockedValueBox(0)
        let replies = NIOLockedValueBox<[Reply]>([])
        let started = Date()
        let deadline = started.addingTimeInterval(seconds)
        let group = DispatchGroup()
        for _ in 0..<concurrency {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var connection: Connection?
                while Date() < deadline {
                    let index = next.withLockedValue { value -> Int in
                        value += 1
                        return value - 1
                    }
                    guard index < total else { break }
                    if connection == nil { connection = Connection(port: port) }
                    let begin = Date()
                    let reply = connection?.exchange(request(index))
                    let elapsed = Date().timeIntervalSince(begin) * 1000
                    progress?.withLockedValue { $0 += 1 }
                    if let reply {
                        replies.withLockedValue { $0.append(Reply(status: reply.status, backend: reply.headers["x-backend"],
                                                                  milliseconds: elapsed, headers: reply.headers)) }
                        if reply.headers["connection"]?.lowercased() == "close" { connection = nil }
                    } else {
                        replies.withLockedValue { $0.append(Reply(status: 0, backend: nil, milliseconds: elapsed, headers: [:])) }
                        connection = nil
                    }
                }
            }
            thread.start()
        }
        group.wait()
        return Run(replies: replies.withLockedValue { $0 }, seconds: Date().timeIntervalSince(started))
    }

    static func get(_ host: String, _ path: String = "/", headers: String = "") -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)\r\n".utf8)
    }

    // MARK: Connection

    /// One blocking keep-alive connection; reads responses framed by Content-Length.
    final class Connection {
        let fd: Int32
        var pending: [UInt8] = []

        init?(port: Int) {
            guard let fd = try? connectToLoopback(port: port, timeout: 5) else { return nil }
            self.fd = fd
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }

        deinit { close(fd) }

        func exchange(_ request: [UInt8]) -> (status: Int, headers: [String: String])? {
            var sent = 0
            while sent < request.count {
                let result = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard result > 0 else { return nil }
                sent += result
            }
            guard let headEnd = readUntilHeadEnd() else { return nil }
            let head = String(decoding: pending[..<headEnd], as: UTF8.self)
            pending.removeFirst(headEnd + 4)
            let lines = head.components(separatedBy: "\r\n")
            guard let status = lines.first.flatMap({ Int($0.split(separator: " ").dropFirst().first ?? "") }) else { return nil }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while pending.count < length {
                guard receive() else { return nil }
            }
            pending.removeFirst(length)
            return (status, headers)
        }

        private func readUntilHeadEnd() -> Int? {
            while true {
                if pending.count >= 4 {
                    for index in 0...(pending.count - 4)
                    where pending[index] == 13 && pending[index + 1] == 10 && pending[index + 2] == 13 && pending[index + 3] == 10 {
                        return index
                    }
                }
                guard receive() else { return nil }
            }
        }

        private func receive() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 16384)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            pending += buffer[0..<count]
            return true
        }
    }
}
