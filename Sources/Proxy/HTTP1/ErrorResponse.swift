// MARK: - ErrorResponse

/// A response the proxy writes itself (routing failures, refused requests,
/// backend errors), with the reason in `l5d-err` as Linkerd does.
public enum ErrorResponse {
    /// `retryable` adds `l5d-retryable: true`: the request never reached a
    /// backend in a way that makes sending it again unsafe.
    public static func bytes(status: Int, error: String, close: Bool, retryable: Bool = false) -> [UInt8] {
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
