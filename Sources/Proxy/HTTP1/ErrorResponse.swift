// MARK: - ErrorResponse

/// A response the proxy writes itself (routing failures, refused requests,
/// backend errors), with the reason in `l5d-err` as Linkerd does.
public enum ErrorResponse {
    /// `retryable` adds `l5d-retryable: true`: the request never reached a
    /// backend in a way that makes sending it again unsafe.
    public static func bytes(status: Int, error: String, close: Bool, retryable: Bool = false, grpc: Bool = false) -> [UInt8] {
        if grpc { return grpcBytes(status: status, error: error, close: close, retryable: retryable) }
        let body = "\(status) \(reason(status)): \(error)\n"
        let header = sanitized(error)
        var text = "HTTP/1.1 \(status) \(reason(status))\r\n"
        text += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
        text += "l5d-err: \(header)\r\nVia: 1.1 switchyard\r\n"
        if retryable { text += "l5d-retryable: true\r\n" }
        if close { text += "Connection: close\r\n" }
        text += "\r\n" + body
        return Array(text.utf8)
    }

    /// The same error for a gRPC call: a trailers-only answer (HTTP 200, no
    /// body) whose grpc-status is what gRPC maps the HTTP status to (a
    /// deadline is DEADLINE_EXCEEDED, what cannot be reached UNAVAILABLE),
    /// so clients see the proxy's error as a gRPC status with its message.
    static func grpcBytes(status: Int, error: String, close: Bool, retryable: Bool) -> [UInt8] {
        var text = "HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\n"
        text += "grpc-status: \(grpcStatus(status))\r\ngrpc-message: \(percentEncoded("\(status) \(reason(status)): \(error)"))\r\n"
        text += "l5d-err: \(sanitized(error))\r\nVia: 1.1 switchyard\r\ncontent-length: 0\r\n"
        if retryable { text += "l5d-retryable: true\r\n" }
        if close { text += "Connection: close\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// gRPC's mapping of HTTP statuses (doc/http-grpc-status-mapping.md),
    /// with a timeout as DEADLINE_EXCEEDED.
    static func grpcStatus(_ status: Int) -> Int {
        switch status {
        case 504, 408: return 4      // DEADLINE_EXCEEDED
        case 502, 503: return 14     // UNAVAILABLE
        case 413, 431: return 8      // RESOURCE_EXHAUSTED
        case 400, 414: return 13     // INTERNAL
        default: return 2            // UNKNOWN
        }
    }

    /// grpc-message is percent-encoded UTF-8: printable ASCII except `%` passes.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded()
            }
        }
        return out
    }

    /// Header values may not hold CR, LF or other controls.
    static func sanitized(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Error"
        }
    }
}

private extension String {
    /// Two hex digits.
    func leftPadded() -> String { count == 1 ? "0" + self : self }
}
