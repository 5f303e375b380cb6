// MARK: - Framing and connection semantics

extension RequestHeadParser {
    /// Host, body framing, connection, expectation and upgrade (RFC 9112
    /// sections 3.2, 6, 9; RFC 9110 section 10.1.1). Nil when all is well.
    static func applySemantics(_ head: inout RequestHead) -> HTTP1ParseError? {
        var hosts = 0
        for field in head.fields where field.kind == .host { hosts += 1 }
        if hosts > 1 { return HTTP1ParseError(.multipleHosts, "more than one Host field") }
        if hosts == 0, head.version == .http11 { return HTTP1ParseError(.missingHost, "HTTP/1.1 request without Host") }

        let bytes = head.bytes
        let length = FieldValues.contentLength(bytes, head.fields)
        switch FieldValues.transferCoding(bytes, head.fields) {
        case .absent:
            switch length {
            case .absent: break
            case .length(let value): if value > 0 { head.framing = .contentLength(value) }
            case .invalid: return HTTP1ParseError(.invalidContentLength, "invalid Content-Length")
            case .conflicting: return HTTP1ParseError(.conflictingContentLength, "differing Content-Length values")
            }
        case let coding:
            if head.version == .http10 {
                return HTTP1ParseError(.transferEncodingInHTTP10, "Transfer-Encoding in an HTTP/1.0 request")
            }
            if case .absent = length {} else {
                return HTTP1ParseError(.contentLengthWithTransferEncoding, "both Content-Length and Transfer-Encoding")
            }
            // RFC 9112 section 6.3: unless chunked is the final coding (and
            // appears once) the length cannot be determined reliably: 400.
            guard case .chunked = coding else {
                return HTTP1ParseError(.invalidTransferEncoding, "Transfer-Encoding `\(head.values(.transferEncoding).joined(separator: ", "))` does not end in chunked exactly once")
            }
            head.framing = .chunked
        }

        if FieldValues.lists(bytes, head.fields, .connection, "close") {
            head.keepAlive = false
        } else if head.version == .http10 {
            head.keepAlive = FieldValues.lists(bytes, head.fields, .connection, "keep-alive")
        }
        head.expectContinue = FieldValues.lists(bytes, head.fields, .expect, "100-continue")
        if FieldValues.lists(bytes, head.fields, .connection, "upgrade"), let upgrade = head.value(.upgrade) {
            head.upgrade = upgrade
        }
        return nil
    }
}
