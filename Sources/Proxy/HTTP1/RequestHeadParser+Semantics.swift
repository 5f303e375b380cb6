// MARK: - Framing and connection semantics

extension RequestHeadParser {
    /// Host, body framing, connection, expectation and upgrade (RFC 9112
    /// sections 3.2, 6, 9; RFC 9110 section 10.1.1). Nil when all is well.
    static func applySemantics(_ head: inout RequestHead) -> HTTP1ParseError? {
        var hosts = 0
        for field in head.fields where field.kind == .host { hosts += 1 }
        if hosts > 1 { return HTTP1ParseError(.multipleHosts, "more than one Host field") }
        if hosts == 0, head.version == .http11 { return HTTP1ParseError(.missingHost, "HTTP/1.1 request without Host") }
        // RFC 9110 section 7.2: Host is `uri-host [ ":" port ]`; an http URI
        // always has a host, so an empty value is as invalid as a bad one.
        if let host = head.fields.first(where: { $0.kind == .host }), !Authority.isValid(head.bytes[host.value], requirePort: false) {
            return HTTP1ParseError(.invalidHost, "Host `\(head.value(host))` is not a valid authority")
        }

        let bytes = head.bytes
        let length = FieldValues.contentLength(bytes, head.fields)
        switch FieldValues.transferCoding(bytes, head.fields) {
        case .absent:
            switch length {
            case .absent: break
            case .length(let value):
                head.contentLength = value
                if value > 0 { head.framing = .contentLength(value) }
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
            if case .unsupported(let name) = coding {
                return HTTP1ParseError(.unsupportedTransferCoding, "transfer coding `\(name)` is not supported")
            }
            // RFC 9112 section 6.3: unless chunked is the final coding (and
            // appears once) the length cannot be determined reliably: 400.
            guard case .chunked = coding else {
                return HTTP1ParseError(.invalidTransferEncoding, "Transfer-Encoding `\(head.values(.transferEncoding).joined(separator: ", "))` does not end in chunked exactly once")
            }
            head.framing = .chunked
        }

        // RFC 9110 section 7.6.1: Connection names hop-by-hop fields; one
        // naming the framing or Host asks a proxy to drop what the body is
        // read by, so the next hop would frame it differently.
        for field in head.fields where field.kind == .connection {
            var listed: String?
            FieldValues.forEachElement(bytes, field.value) { token in
                if listed == nil, FieldKind.classify(bytes, token).isEndToEndFraming {
                    listed = String(decoding: bytes[token], as: UTF8.self)
                }
            }
            if let listed {
                return HTTP1ParseError(.invalidConnectionOption, "Connection lists `\(listed)`, which is not hop-by-hop")
            }
        }
        if FieldValues.lists(bytes, head.fields, .connection, "close") {
            head.keepAlive = false
        } else if head.version == .http10 {
            head.keepAlive = FieldValues.lists(bytes, head.fields, .connection, "keep-alive")
        }
        if let error = applyExpectation(&head) { return error }
        if FieldValues.lists(bytes, head.fields, .connection, "upgrade"), let upgrade = head.value(.upgrade) {
            if let error = checkUpgrade(head, upgrade) { return error }
            // h2c is never tunnelled (its HTTP2-Settings is hop-by-hop too):
            // the request goes on as plain HTTP/1.1, as RFC 9110 section 7.8 allows.
            head.upgrade = FieldValues.upgradeProtocols(upgrade).contains("h2c") ? nil : upgrade
        }
        return nil
    }

    /// RFC 9110 section 10.1.1: `100-continue` is the only expectation; any
    /// other is answered 417. HTTP/1.0 requests' expectations are ignored.
    static func applyExpectation(_ head: inout RequestHead) -> HTTP1ParseError? {
        guard head.version == .http11 else { return nil }
        for field in head.fields where field.kind == .expect {
            var unknown: String?
            FieldValues.forEachElement(head.bytes, field.value) { element in
                if !FieldValues.equalsIgnoringCase(head.bytes, element, "100-continue") {
                    unknown = unknown ?? String(decoding: head.bytes[element], as: UTF8.self)
                }
            }
            if let unknown { return HTTP1ParseError(.unsupportedExpectation, "expectation `\(unknown)` is not supported") }
            head.expectContinue = true
        }
        return nil
    }

    /// A WebSocket upgrade must be a well-formed opening handshake (RFC 6455
    /// section 4.1): GET over HTTP/1.1, a Sec-WebSocket-Key of 16 bytes in
    /// base64 and Sec-WebSocket-Version 13. Other protocols are checked
    /// against the route's `upgrade` policy once the route is known.
    static func checkUpgrade(_ head: RequestHead, _ upgrade: String) -> HTTP1ParseError? {
        guard FieldValues.upgradeProtocols(upgrade).contains("websocket") else { return nil }
        guard head.method == "GET", head.version == .http11 else {
            return HTTP1ParseError(.invalidUpgrade, "a WebSocket upgrade must be a GET over HTTP/1.1")
        }
        let keys = head.values(named: "sec-websocket-key")
        guard keys.count == 1, FieldValues.base64Length(keys[0]) == 16 else {
            return HTTP1ParseError(.invalidUpgrade, "a WebSocket upgrade needs one Sec-WebSocket-Key of 16 bytes in base64")
        }
        guard head.values(named: "sec-websocket-version") == ["13"] else {
            return HTTP1ParseError(.invalidUpgrade, "a WebSocket upgrade needs Sec-WebSocket-Version: 13")
        }
        return nil
    }
}
