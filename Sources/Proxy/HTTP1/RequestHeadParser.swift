// MARK: - RequestHeadParser

/// A strict RFC 9112 request-head parser over received bytes.
///
/// It refuses, rather than guesses, everything that lets two parsers read one
/// message differently: bare CR or LF line endings, obs-fold, whitespace
/// before the colon, control characters, Content-Length together with
/// Transfer-Encoding, differing Content-Lengths, a Transfer-Encoding whose
/// final coding is not chunked, missing or repeated Host, invalid methods
/// and targets. Sizes are bounded by `HTTP1Limits` (414, 431).
public struct RequestHeadParser: Sendable {
    /// Header fields the field list is sized for before parsing (it grows past them).
    static let typicalFieldCount = 16

    public enum Outcome: Sendable {
        /// More bytes are needed; nothing was consumed.
        case incomplete
        case complete(RequestHead)
        case failure(HTTP1ParseError)
    }

    public var limits: HTTP1Limits

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    /// Parses the head at the start of `buffer` (which may hold more: a body,
    /// or pipelined requests).
    public func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Outcome {
        var storage = HeadStorage()
        return parse(buffer, storage: &storage)
    }

    /// Parses into `storage`'s arrays (a connection's, reused between heads);
    /// a complete head takes them, the others leave them there.
    public func parse(_ buffer: UnsafeBufferPointer<UInt8>, storage: inout HeadStorage) -> Outcome {
        // RFC 9112 section 2.2: ignore empty lines before the request line.
        var start = 0
        while start + 1 < buffer.count, buffer[start] == HTTP1Bytes.cr, buffer[start + 1] == HTTP1Bytes.lf, start < 8 {
            start += 2
        }
        switch findEnd(buffer, from: start) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .incomplete
        case .success(let end?):
            let (bytes, fields) = storage.take(buffer[start..<end])
            switch Self.parseHead(bytes, fields: fields, limits: limits) {
            case .success(var head):
                head.skippedPrefix = start
                return .complete(head)
            case .failure(let error): return .failure(error)
            }
        }
    }

    public func parse(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// The offset just past the empty line that ends the head, nil when not
    /// received yet. Line endings are checked as bytes arrive, so a bare CR
    /// or LF is refused at once rather than after a timeout.
    func findEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Result<Int?, HTTP1ParseError> {
        var lineStart = start
        var index = start
        var firstLine = true
        while index < buffer.count {
            let byte = buffer[index]
            if byte == HTTP1Bytes.lf {
                return .failure(HTTP1ParseError(.bareLineFeed, "line ends with LF without CR"))
            }
            if byte == HTTP1Bytes.cr {
                guard index + 1 < buffer.count else { break }
                guard buffer[index + 1] == HTTP1Bytes.lf else {
                    return .failure(HTTP1ParseError(.bareCarriageReturn, "CR not followed by LF"))
                }
                if index == lineStart, !firstLine { return .success(index + 2) }
                firstLine = false
                index += 2
                lineStart = index
                continue
            }
            if firstLine, index - start >= limits.maxRequestLineBytes {
                return .failure(HTTP1ParseError(.requestLineTooLong, "request line longer than \(limits.maxRequestLineBytes) bytes"))
            }
            index += 1
            if index - start > limits.maxHeadBytes {
                return .failure(HTTP1ParseError(.headTooLarge, "request head larger than \(limits.maxHeadBytes) bytes"))
            }
        }
        if buffer.count - start > limits.maxHeadBytes {
            return .failure(HTTP1ParseError(.headTooLarge, "request head larger than \(limits.maxHeadBytes) bytes"))
        }
        return .success(nil)
    }

    // MARK: Head

    /// `fields` is an empty array to fill (with capacity, when reused).
    static func parseHead(_ bytes: [UInt8], fields: consuming [RequestHead.Field], limits: HTTP1Limits)
        -> Result<RequestHead, HTTP1ParseError> {
        guard let lineEnd = firstCRLF(bytes, from: 0) else {
            return .failure(HTTP1ParseError(.invalidRequestLine, "no request line"))
        }
        let requestLine: (String, String, RequestHead.Version, RequestTarget)
        switch parseRequestLine(bytes[0..<lineEnd]) {
        case .success(let parsed): requestLine = parsed
        case .failure(let error): return .failure(error)
        }
        var position = lineEnd + 2
        while position < bytes.count - 2 {
            guard let end = firstCRLF(bytes, from: position) else { break }
            if fields.count == limits.maxHeaderCount {
                return .failure(HTTP1ParseError(.tooManyHeaders, "more than \(limits.maxHeaderCount) header fields"))
            }
            switch parseField(bytes, line: position..<end) {
            case .success(let field): fields.append(field)
            case .failure(let error): return .failure(error)
            }
            position = end + 2
        }
        var head = RequestHead(bytes: bytes, method: requestLine.0, target: requestLine.1, version: requestLine.2,
                               fields: fields, framing: .none, keepAlive: requestLine.2 == .http11,
                               expectContinue: false, upgrade: nil, skippedPrefix: 0)
        if case .absolute(let authority) = requestLine.3 { head.targetAuthority = authority }
        if let error = applySemantics(&head) { return .failure(error) }
        return .success(head)
    }

    static func firstCRLF(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == HTTP1Bytes.cr, bytes[index + 1] == HTTP1Bytes.lf { return index }
            index += 1
        }
        return nil
    }

    /// `request-line = method SP request-target SP HTTP-version`
    static func parseRequestLine(_ line: ArraySlice<UInt8>) -> Result<(String, String, RequestHead.Version, RequestTarget), HTTP1ParseError> {
        // Exactly two single spaces split the line.
        guard let firstSpace = line.firstIndex(of: HTTP1Bytes.sp),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: HTTP1Bytes.sp),
              !line[(secondSpace + 1)...].contains(HTTP1Bytes.sp),
              firstSpace > line.startIndex, secondSpace > firstSpace + 1 else {
            return .failure(HTTP1ParseError(.invalidRequestLine, "request line is not `METHOD TARGET HTTP/1.1`"))
        }
        let methodBytes = line[line.startIndex..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]
        guard methodBytes.allSatisfy(HTTP1Bytes.isToken) else {
            return .failure(HTTP1ParseError(.invalidMethod, "invalid method"))
        }
        guard targetBytes.allSatisfy(HTTP1Bytes.isTargetByte) else {
            return .failure(HTTP1ParseError(.invalidTarget, "request target has spaces or control characters"))
        }
        let version: RequestHead.Version
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http11
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http10
        } else {
            let text = String(decoding: versionBytes, as: UTF8.self)
            let digits = Array(text.utf8)
            if digits.count == 8, text.hasPrefix("HTTP/"), HTTP1Bytes.isDigit(digits[5]), digits[6] == UInt8(ascii: "."),
               HTTP1Bytes.isDigit(digits[7]) {
                return .failure(HTTP1ParseError(.unsupportedVersion, "\(text) is not supported"))
            }
            return .failure(HTTP1ParseError(.invalidRequestLine, "invalid HTTP version"))
        }
        let method = String(decoding: methodBytes, as: UTF8.self)
        let target = String(decoding: targetBytes, as: UTF8.self)
        // CONNECT opens a raw tunnel, which this proxy does not offer.
        if method == "CONNECT" { return .failure(HTTP1ParseError(.unsupportedMethod, "CONNECT tunnels are not supported")) }
        switch RequestTarget.parse(targetBytes, method: method) {
        case .success(let form): return .success((method, target, version, form))
        case .failure(let error): return .failure(error)
        }
    }

    /// `field-line = field-name ":" OWS field-value OWS`
    static func parseField(_ bytes: [UInt8], line: Range<Int>) -> Result<RequestHead.Field, HTTP1ParseError> {
        let first = bytes[line.lowerBound]
        if first == HTTP1Bytes.sp || first == HTTP1Bytes.htab {
            return .failure(HTTP1ParseError(.obsoleteLineFolding, "obsolete line folding is not accepted"))
        }
        var colon = line.lowerBound
        while colon < line.upperBound, bytes[colon] != HTTP1Bytes.colon {
            let byte = bytes[colon]
            if byte == HTTP1Bytes.sp || byte == HTTP1Bytes.htab {
                return .failure(HTTP1ParseError(.whitespaceBeforeColon, "whitespace between field name and colon"))
            }
            guard HTTP1Bytes.isToken(byte) else {
                return .failure(HTTP1ParseError(.invalidHeaderName, "invalid character in a field name"))
            }
            colon += 1
        }
        guard colon < line.upperBound, colon > line.lowerBound else {
            return .failure(HTTP1ParseError(.invalidHeaderName, "field line without a name and colon"))
        }
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd, bytes[valueStart] == HTTP1Bytes.sp || bytes[valueStart] == HTTP1Bytes.htab { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == HTTP1Bytes.sp || bytes[valueEnd - 1] == HTTP1Bytes.htab { valueEnd -= 1 }
        for index in valueStart..<valueEnd where !HTTP1Bytes.isFieldValueByte(bytes[index]) {
            return .failure(HTTP1ParseError(.invalidHeaderValue, "control character in a field value"))
        }
        let kind = FieldKind.classify(bytes, line.lowerBound..<colon)
        if kind == .other, let disguised = FieldKind.disguised(bytes, line.lowerBound..<colon) {
            return .failure(HTTP1ParseError(.invalidHeaderName,
                                            "field `\(String(decoding: bytes[line.lowerBound..<colon], as: UTF8.self))` differs from \(disguised) only by `_`"))
        }
        return .success(RequestHead.Field(name: line.lowerBound..<colon, value: valueStart..<valueEnd,
                                          line: line.lowerBound..<(line.upperBound + 2), kind: kind))
    }
}
