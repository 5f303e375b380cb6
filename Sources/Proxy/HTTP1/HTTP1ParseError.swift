// MARK: - HTTP1ParseError

/// Why a request is refused before it is forwarded, with the status to
/// answer. Every ambiguity a front end and a back end could read
/// differently (request smuggling) is an error here, never a guess.
public struct HTTP1ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case invalidRequestLine
        case invalidMethod
        case invalidTarget
        case unsupportedVersion
        case invalidHeaderName
        case invalidHeaderValue
        case whitespaceBeforeColon
        case obsoleteLineFolding
        case bareCarriageReturn
        case bareLineFeed
        case requestLineTooLong
        case headTooLarge
        case tooManyHeaders
        case missingHost
        case multipleHosts
        case contentLengthWithTransferEncoding
        case conflictingContentLength
        case invalidContentLength
        case transferEncodingInHTTP10
        case invalidTransferEncoding
        case invalidChunkSize
        case invalidChunkExtension
        case chunkLineTooLong
        case missingChunkTerminator
        case invalidTrailer
        case unsupportedMethod
        case invalidHost
        case unsupportedExpectation
        case invalidUpgrade
        case invalidConnectionOption
        case unsupportedTransferCoding
    }

    public var kind: Kind
    /// A short human explanation, sent as `l5d-err`.
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// 400 unless the RFCs name a more precise status.
    public var status: Int {
        switch kind {
        case .requestLineTooLong: return 414
        case .headTooLarge, .tooManyHeaders: return 431
        case .unsupportedVersion: return 505
        case .unsupportedMethod, .unsupportedTransferCoding: return 501
        case .unsupportedExpectation: return 417
        default: return 400
        }
    }

    public var description: String { detail }
}
