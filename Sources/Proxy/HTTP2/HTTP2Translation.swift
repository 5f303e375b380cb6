import NIOCore
import NIOHPACK

// MARK: - HTTP2Translation

/// Header blocks to HTTP/1.1 heads and back (RFC 9113 section 8.2-8.3).
enum HTTP2Translation {
    /// An HTTP/1.1 request head for a request's header block.
    struct RequestHead {
        var bytes: ByteBuffer
        var method: String
        /// Whether the body is sent chunked (there is one and no content-length says how long).
        var chunked: Bool
    }

    /// Fields HTTP/2 does not carry (section 8.2.2); the HTTP/1.1 side adds its own.
    static let connectionFields: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    /// nil when the pseudo-header fields do not make a request (the
    /// connection handler has already checked their names and order).
    /// Written straight into `out` (cleared, then sized once): a first pass
    /// over the block finds the pseudo-header fields and the size.
    static func requestHead(_ headers: HPACKHeaders, endStream: Bool, into out: inout ByteBuffer) -> RequestHead? {
        var method: String?
        var path: String?
        var authority: String?
        var cookies = 0
        var hasLength = false
        var size = 0
        for (name, value, _) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":authority": authority = value
            case ":scheme": break
            default:
                guard !name.hasPrefix(":") else { return nil }
                if name == "cookie" { cookies += 1 }
                if name == "content-length" { hasLength = true }
                size += name.utf8.count + value.utf8.count + 4
            }
        }
        guard let method else { return nil }
        let target: String
        if method == "CONNECT" {
            guard let authority else { return nil }
            target = authority
        } else {
            guard let path, !path.isEmpty else { return nil }
            target = path
        }
        out.clear(minimumCapacity: method.utf8.count + target.utf8.count + (authority?.utf8.count ?? 0) + size + 80)
        out.writeString(method)
        out.writeStaticString(" ")
        out.writeString(target)
        out.writeStaticString(" HTTP/1.1\r\n")
        if let authority { writeLine("host", authority, to: &out) }
        for (name, value, _) in headers where !name.hasPrefix(":") && name != "cookie" {
            if name == "host", authority != nil { continue }
            writeLine(name, value, to: &out)
        }
        // Split cookie fields are joined again for HTTP/1.1 (section 8.2.3).
        if cookies > 0 {
            out.writeStaticString("cookie: ")
            var first = true
            for (name, value, _) in headers where name == "cookie" {
                if !first { out.writeStaticString("; ") }
                out.writeString(value)
                first = false
            }
            out.writeStaticString("\r\n")
        }
        let chunked = !endStream && !hasLength
        if chunked { out.writeStaticString("transfer-encoding: chunked\r\n") }
        out.writeStaticString("connection: close\r\n\r\n")
        return RequestHead(bytes: out, method: method, chunked: chunked)
    }

    static func writeLine(_ name: String, _ value: String, to out: inout ByteBuffer) {
        out.writeString(name)
        out.writeStaticString(": ")
        out.writeString(value)
        out.writeStaticString("\r\n")
    }

    /// A response head's status and fields as a header block, written into
    /// `headers` (its array is reused once the last block written into it
    /// has gone out), with the strings `strings` still has.
    static func responseHeaders(_ head: ResponseHead, into headers: inout HPACKHeaders, strings: inout FieldStrings) {
        headers.removeAll(keepingCapacity: true)
        headers.reserveCapacity(head.fields.count + 1)
        headers.add(name: ":status", value: String(head.status))
        for (index, field) in head.fields.enumerated() {
            let name = strings.name(index, head.bytes[field.name])
            guard !connectionFields.contains(name) else { continue }
            headers.add(name: name, value: strings.value(index, head.bytes[field.value]))
        }
    }

    /// Chunked trailer lines (`name: value` CRLF each, as the decoder kept
    /// them) as a header block.
    static func trailerFields(_ lines: [UInt8]) -> HPACKHeaders {
        var headers = HPACKHeaders()
        for line in lines.split(separator: 10) {
            let text = line.last == 13 ? line.dropLast() : line
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: text[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: text[(colon + 1)...], as: UTF8.self).trimmingOWS()
            guard !name.isEmpty, !connectionFields.contains(name) else { continue }
            headers.add(name: name, value: value)
        }
        return headers
    }

    /// A header block as HTTP/1.1 field lines (request trailers).
    static func fieldLines(_ headers: HPACKHeaders) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value, _) in headers where !name.hasPrefix(":") { bytes += line(name, value) }
        return bytes
    }

    static func line(_ name: String, _ value: String) -> [UInt8] {
        Array(name.utf8) + [UInt8(ascii: ":"), UInt8(ascii: " ")] + Array(value.utf8) + [13, 10]
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingOWS() -> String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
