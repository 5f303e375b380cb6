import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Loopback socket

/// A blocking TCP socket connected to 127.0.0.1:`port`, whose reads give
/// up after `timeout` seconds.
func connectToLoopback(port: Int, timeout: Double) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw POSIXError(.ECONNREFUSED)
    }
    var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    return fd
}

// MARK: - RawClient

/// A blocking TCP client for sending exact bytes (malformed requests,
/// pipelining) and reading whatever comes back until the server closes or
/// a read times out.
enum RawClient {
    struct Reply {
        var text: String
        /// Whether the server closed the connection.
        var closed: Bool
    }

    static func exchange(port: Int, _ request: String, timeout: Double = 2) throws -> Reply {
        try exchange(port: port, Array(request.utf8), timeout: timeout)
    }

    static func exchange(port: Int, _ bytes: [UInt8], timeout: Double = 2) throws -> Reply {
        let fd = try connectToLoopback(port: port, timeout: timeout)
        defer { close(fd) }
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { break }
            sent += result
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
            } else {
                return Reply(text: String(decoding: received, as: UTF8.self), closed: count == 0)
            }
        }
    }
}
