// MARK: - ChunkedDecoder

/// Decodes a chunked request body (RFC 9112 section 7.1) as bytes arrive,
/// handing out the data and keeping validated trailer fields.
///
/// Strict: chunk sizes are 1 to 16 hex digits with no sign or spaces before
/// them, extensions must follow the grammar, every line ends in CRLF, and
/// each chunk's data is followed by CRLF. Anything else is an error, so the
/// proxy never forwards a body a backend could split differently.
public struct ChunkedDecoder: Sendable {
    enum State: Sendable, Hashable {
        case size
        case extensions
        case sizeLineFeed
        case data(UInt64)
        case dataCarriageReturn
        case dataLineFeed
        case trailer
        case trailerLineFeed
        case done
    }

    var state = State.size
    var size: UInt64 = 0
    var digits = 0
    var line: [UInt8] = []
    public let limits: HTTP1Limits
    /// Trailer field lines, each with its CRLF, once the body is complete.
    public private(set) var trailers: [UInt8] = []

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    public var isFinished: Bool { state == .done }

    /// Consumes bytes from `input`, calling `data` with the ranges of body
    /// bytes. Returns how many bytes were consumed: all of them, or fewer when
    /// the body ended inside `input` (the rest belongs to the next request).
    public mutating func decode(_ input: UnsafeBufferPointer<UInt8>, data: (Range<Int>) -> Void) throws(HTTP1ParseError) -> Int {
        var index = 0
        while index < input.count {
            let byte = input[index]
            switch state {
            case .done:
                return index
            case .size:
                if HTTP1Bytes.isHexDigit(byte) {
                    guard digits < 16 else { throw HTTP1ParseError(.invalidChunkSize, "chunk size has more than 16 hex digits") }
                    size = size << 4 | HTTP1Bytes.hexValue(byte)
                    digits += 1
                } else if digits > 0, byte == UInt8(ascii: ";") || byte == HTTP1Bytes.sp || byte == HTTP1Bytes.htab {
                    state = .extensions
                    line = [byte]
                } else if digits > 0, byte == HTTP1Bytes.cr {
                    state = .sizeLineFeed
                } else if byte == HTTP1Bytes.lf {
                    throw HTTP1ParseError(.bareLineFeed, "chunk line ends with LF without CR")
                } else {
                    throw HTTP1ParseError(.invalidChunkSize, "invalid chunk size")
                }
                index += 1
            case .extensions:
                if byte == HTTP1Bytes.cr {
                    try Self.validateExtensions(line)
                    state = .sizeLineFeed
                } else if byte == HTTP1Bytes.lf {
                    throw HTTP1ParseError(.bareLineFeed, "chunk line ends with LF without CR")
                } else {
                    line.append(byte)
                    if line.count > limits.maxChunkLineBytes {
                        throw HTTP1ParseError(.chunkLineTooLong, "chunk extensions longer than \(limits.maxChunkLineBytes) bytes")
                    }
                }
                index += 1
            case .sizeLineFeed:
                guard byte == HTTP1Bytes.lf else { throw HTTP1ParseError(.bareCarriageReturn, "CR not followed by LF in a chunk line") }
                index += 1
                state = size == 0 ? .trailer : .data(size)
                line = []
            case .data(let remaining):
                let take = Int(min(remaining, UInt64(input.count - index)))
                data(index..<(index + take))
                index += take
                state = remaining - UInt64(take) == 0 ? .dataCarriageReturn : .data(remaining - UInt64(take))
            case .dataCarriageReturn:
                guard byte == HTTP1Bytes.cr else { throw HTTP1ParseError(.missingChunkTerminator, "chunk data not followed by CRLF") }
                state = .dataLineFeed
                index += 1
            case .dataLineFeed:
                guard byte == HTTP1Bytes.lf else { throw HTTP1ParseError(.missingChunkTerminator, "chunk data not followed by CRLF") }
                state = .size
                size = 0
                digits = 0
                index += 1
            case .trailer:
                if byte == HTTP1Bytes.cr {
                    state = .trailerLineFeed
                } else if byte == HTTP1Bytes.lf {
                    throw HTTP1ParseError(.bareLineFeed, "trailer line ends with LF without CR")
                } else {
                    line.append(byte)
                    if trailers.count + line.count > limits.maxHeadBytes {
                        throw HTTP1ParseError(.headTooLarge, "trailers larger than \(limits.maxHeadBytes) bytes")
                    }
                }
                index += 1
            case .trailerLineFeed:
                guard byte == HTTP1Bytes.lf else { throw HTTP1ParseError(.bareCarriageReturn, "CR not followed by LF in trailers") }
                index += 1
                if line.isEmpty {
                    state = .done
                    return index
                }
                let field = line + [HTTP1Bytes.cr, HTTP1Bytes.lf]
                if case .failure(let error) = RequestHeadParser.parseField(field, line: 0..<line.count) {
                    throw HTTP1ParseError(.invalidTrailer, "invalid trailer field: \(error.detail)")
                }
                trailers += field
                line = []
                state = .trailer
            }
        }
        return index
    }

    public mutating func decode(_ bytes: [UInt8], data: (Range<Int>) -> Void) throws(HTTP1ParseError) -> Int {
        try bytes.withUnsafeBufferPointer { buffer throws(HTTP1ParseError) in try decode(buffer, data: data) }
    }

    /// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )` with
    /// `ext-val = token / quoted-string`.
    static func validateExtensions(_ bytes: [UInt8]) throws(HTTP1ParseError) {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, bytes[index] == HTTP1Bytes.sp || bytes[index] == HTTP1Bytes.htab { index += 1 }
        }
        func token() -> Bool {
            let start = index
            while index < bytes.count, HTTP1Bytes.isToken(bytes[index]) { index += 1 }
            return index > start
        }
        let invalid = HTTP1ParseError(.invalidChunkExtension, "invalid chunk extension")
        skipWhitespace()
        // Whitespace after the size is only allowed before a `;`.
        guard index < bytes.count else { throw invalid }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: ";") else { throw invalid }
            index += 1
            skipWhitespace()
            guard token() else { throw invalid }
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    var closed = false
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "\"") { closed = true; index += 1; break }
                        if byte == UInt8(ascii: "\\") { index += 1 }
                        guard index < bytes.count, bytes[index] == HTTP1Bytes.htab || bytes[index] >= 0x20, bytes[index] != 0x7F else { throw invalid }
                        index += 1
                    }
                    guard closed else { throw invalid }
                } else {
                    guard token() else { throw invalid }
                }
                skipWhitespace()
            }
        }
    }
}
