// MARK: - ResponseHeadParser

/// Parses backend response heads with the same strictness as requests: a
/// backend that sends an ambiguous response (both Content-Length and
/// Transfer-Encoding, differing lengths, bare CR/LF) gets a 502, not a guess.
public struct ResponseHeadParser: Sendable {
    public enum Outcome: Sendable {
        case incomplete
        case complete(ResponseHead)
        case failure(HTTP1ParseError)
    }

    public var limits: HTTP1Limits

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    /// - Parameter requestMethod: HEAD responses have no body whatever they say.
    public func parse(_ buffer: UnsafeBufferPointer<UInt8>, requestMethod: String) -> Outcome {
        var storage = HeadStorage()
        return parse(buffer, requestMethod: requestMethod, storage: &storage)
    }

    /// Parses into `storage`'s arrays (see `RequestHeadParser`).
    public func parse(_ buffer: UnsafeBufferPointer<UInt8>, requestMethod: String, storage: inout HeadStorage) -> Outcome {
        // Bytes that cannot start a status line fail at once, not when a
        // head limit is reached: an endpoint that answers in HTTP/2 (a
        // GOAWAY for the preface it missed) or garbage gets its 502 now.
        for (have, want) in zip(buffer, Self.versionPrefix) where have != want {
            return .failure(HTTP1ParseError(.invalidRequestLine, "the answer is not HTTP/1.x (does the endpoint speak HTTP/2 only? see `protocol h2`)"))
        }
        let finder = RequestHeadParser(limits: limits)
        switch finder.findEnd(buffer, from: 0) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .incomplete
        case .success(let end?):
            let (bytes, fields) = storage.take(buffer[0..<end])
            return Self.parseHead(bytes, fields: fields, requestMethod: requestMethod, limits: limits)
        }
    }

    static let versionPrefix = Array("HTTP/1.".utf8)

    static func isAbsent(_ length: FieldValues.LengthReading) -> Bool {
        if case .absent = length { return true }
        return false
    }

    /// `fields` is an empty array to fill (with capacity, when reused).
    static func parseHead(_ bytes: [UInt8], fields: consuming [RequestHead.Field], requestMethod: String, limits: HTTP1Limits)
        -> Outcome {
        guard let lineEnd = RequestHeadParser.firstCRLF(bytes, from: 0) else {
            return .failure(HTTP1ParseError(.invalidRequestLine, "no status line"))
        }
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        let line = bytes[0..<lineEnd]
        guard line.count >= 12, line[line.startIndex + 8] == HTTP1Bytes.sp else {
            return .failure(HTTP1ParseError(.invalidRequestLine, "invalid status line"))
        }
        let version: RequestHead.Version
        switch String(decoding: line.prefix(8), as: UTF8.self) {
        case "HTTP/1.1": version = .http11
        case "HTTP/1.0": version = .http10
        default: return .failure(HTTP1ParseError(.unsupportedVersion, "backend answered with an unsupported HTTP version"))
        }
        let codeBytes = line.dropFirst(9).prefix(3)
        guard codeBytes.count == 3, codeBytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let status = Int(String(decoding: codeBytes, as: UTF8.self)), (100...599).contains(status),
              line.count == 12 || line[line.startIndex + 12] == HTTP1Bytes.sp else {
            return .failure(HTTP1ParseError(.invalidRequestLine, "invalid status code"))
        }
        for byte in line.dropFirst(13) where !HTTP1Bytes.isFieldValueByte(byte) {
            return .failure(HTTP1ParseError(.invalidRequestLine, "control character in the reason phrase"))
        }
        var position = lineEnd + 2
        while position < bytes.count - 2, let end = RequestHeadParser.firstCRLF(bytes, from: position) {
            if fields.count == limits.maxHeaderCount {
                return .failure(HTTP1ParseError(.tooManyHeaders, "more than \(limits.maxHeaderCount) header fields"))
            }
            switch RequestHeadParser.parseField(bytes, line: position..<end) {
            case .success(let field): fields.append(field)
            case .failure(let error): return .failure(error)
            }
            position = end + 2
        }
        var head = ResponseHead(bytes: bytes, status: status, version: version, fields: fields, framing: .untilClose,
                                keepAlive: version == .http11)
        if FieldValues.lists(bytes, head.fields, .connection, "close") { head.keepAlive = false }
        if version == .http10, !FieldValues.lists(bytes, head.fields, .connection, "keep-alive") { head.keepAlive = false }

        // RFC 9112 section 6.3, in order.
        if requestMethod == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            head.framing = .none
            return .complete(head)
        }
        let length = FieldValues.contentLength(bytes, head.fields)
        let coding = FieldValues.transferCoding(bytes, head.fields)
        if case .absent = coding {} else if !isAbsent(length) {
            return .failure(HTTP1ParseError(.contentLengthWithTransferEncoding, "backend sent Content-Length and Transfer-Encoding"))
        }
        switch coding {
        case .chunked:
            head.framing = .chunked
        case .other, .unsupported:
            // The client decodes what it was sent; the end is the close.
            head.framing = .untilClose
            head.keepAlive = false
        case .absent:
            switch length {
            case .absent: head.keepAlive = false
            case .length(let value): head.framing = value == 0 ? .none : .contentLength(value)
            case .invalid, .conflicting:
                return .failure(HTTP1ParseError(.conflictingContentLength, "backend sent an invalid or differing Content-Length"))
            }
        }
        return .complete(head)
    }
}
