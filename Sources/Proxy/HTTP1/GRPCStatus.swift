import Engine
import RouteLang

// MARK: - GRPCStatus

/// Where a gRPC server says how a call ended: `grpc-status` in the response
/// head of a trailers-only answer (such as UNAVAILABLE before any message),
/// else in the trailers after the messages. Both feed classification; only
/// the head's can lead to a retry, since trailers come after the answer
/// was forwarded.
enum GRPCStatus {
    static let fieldName: StaticString = "grpc-status"

    /// The `grpc-status` number in a response head; nil without one.
    static func number(in head: ResponseHead) -> Int? {
        for field in head.fields where field.kind == .other && field.name.count == fieldName.utf8CodeUnitCount {
            guard FieldValues.equalsIgnoringCase(head.bytes, field.name, fieldName) else { continue }
            return number(head.bytes[field.value])
        }
        return nil
    }

    /// The number in trailer field lines (`name: value` and CRLF each, as
    /// `ChunkedDecoder` keeps them, already validated); nil without one.
    static func number(inTrailers trailers: [UInt8]) -> Int? {
        var start = 0
        while start < trailers.count {
            guard let lineFeed = trailers[start...].firstIndex(of: HTTP1Bytes.lf) else { break }
            let line = trailers[start..<(lineFeed - 1)]
            start = lineFeed + 1
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  FieldValues.equalsIgnoringCase(trailers, line.startIndex..<colon, fieldName) else { continue }
            return number(trailers[(colon + 1)..<line.endIndex])
        }
        return nil
    }

    /// What an answer comes to: its gRPC status when it has one that is not
    /// OK, else its HTTP status (OK and numbers gRPC does not define too).
    static func outcome(_ number: Int?, status: Int) -> AttemptOutcome {
        guard let number, let code = GRPCCode(number: number) else { return .response(status: status) }
        return .grpc(code)
    }

    /// A field value's digits, white space around them allowed.
    private static func number(_ value: ArraySlice<UInt8>) -> Int? {
        let trimmed = value.drop { $0 == HTTP1Bytes.sp || $0 == HTTP1Bytes.htab }
        let digits = trimmed.prefix { HTTP1Bytes.isDigit($0) }
        guard !digits.isEmpty, trimmed[digits.endIndex...].allSatisfy({ $0 == HTTP1Bytes.sp || $0 == HTTP1Bytes.htab }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
