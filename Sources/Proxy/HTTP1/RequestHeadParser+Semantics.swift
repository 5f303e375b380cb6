// MARK: - Framing and connection semantics

extension RequestHeadParser {
    /// Host, body framing, connection, expectation and upgrade (RFC 9112
    /// sections 3.2, 6, 9; RFC 9110 section 10.1.1). Nil when all is well.
    static func applySemantics(_ head: inout RequestHead) -> HTTP1ParseError? {
        let hosts = head.values(.host)
        if hosts.count > 1 { return HTTP1ParseError(.multipleHosts, "more than one Host field") }
        if hosts.isEmpty, head.version == .http11 { return HTTP1ParseError(.missingHost, "HTTP/1.1 request without Host") }

        let transferEncodings = head.values(.transferEncoding)
        let contentLengths = head.values(.contentLength)
        if !transferEncodings.isEmpty {
            if head.version == .http10 {
                return HTTP1ParseError(.transferEncodingInHTTP10, "Transfer-Encoding in an HTTP/1.0 request")
            }
            if !contentLengths.isEmpty {
                return HTTP1ParseError(.contentLengthWithTransferEncoding, "both Content-Length and Transfer-Encoding")
            }
            // RFC 9112 section 6.3: unless chunked is the final coding (and
            // appears once) the length cannot be determined reliably: 400.
            let codings = transferEncodings.flatMap(Self.listElements).map { $0.lowercased() }
            guard codings.last == "chunked", codings.filter({ $0 == "chunked" }).count == 1,
                  codings.allSatisfy({ $0.utf8.allSatisfy(HTTP1Bytes.isToken) }) else {
                return HTTP1ParseError(.invalidTransferEncoding, "Transfer-Encoding `\(transferEncodings.joined(separator: ", "))` does not end in chunked exactly once")
            }
            head.framing = .chunked
        } else if !contentLengths.isEmpty {
            // Repeated or listed values must all be the same number (RFC 9110 section 8.6).
            var length: UInt64?
            for text in contentLengths.flatMap({ $0.isEmpty ? [""] : Self.listElements($0) }) {
                guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      let value = UInt64(text) else {
                    return HTTP1ParseError(.invalidContentLength, "invalid Content-Length `\(text)`")
                }
                if let length, length != value {
                    return HTTP1ParseError(.conflictingContentLength, "differing Content-Length values")
                }
                length = value
            }
            if let length, length > 0 { head.framing = .contentLength(length) }
        }

        let connection = head.values(.connection).flatMap(Self.listElements).map { $0.lowercased() }
        if connection.contains("close") {
            head.keepAlive = false
        } else if head.version == .http10 {
            head.keepAlive = connection.contains("keep-alive")
        }
        head.expectContinue = head.values(.expect).contains { $0.lowercased() == "100-continue" }
        if connection.contains("upgrade"), let upgrade = head.value(.upgrade) {
            head.upgrade = upgrade
        }
        return nil
    }

    /// The elements of a comma-separated field value, trimmed, empty ones dropped.
    static func listElements(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingSpacesAndTabs() }.filter { !$0.isEmpty }
    }
}

extension String {
    /// Trims SP and HTAB (HTTP's optional whitespace) from both ends.
    fileprivate func trimmingSpacesAndTabs() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
