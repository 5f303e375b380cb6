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

    /// What a final response head says of its attempt: its gRPC status when
    /// it carries one, else its HTTP status.
    static func outcome(of head: ResponseHead) -> AttemptOutcome {
        for field in head.fields where field.kind == .other && field.name.count == fieldName.utf8CodeUnitCount {
            guard FieldValues.equalsIgnoringCase(head.bytes, field.name, fieldName) else { continue }
            return outcome(value: head.bytes[field.value], status: head.status)
        }
        return .response(status: head.status)
    }

    /// The status in trailer field lines (`name: value` and CRLF each, as
    /// `ChunkedDecoder` keeps them, already validated); nil without one.
    static func outcome(trailers: [UInt8], status: Int) -> AttemptOutcome? {
        var start = 0
        while start < trailers.count {
            guard let lineFeed = trailers[start...].firstIndex(of: HTTP1Bytes.lf) else { break }
            let line = trailers[start..<(lineFeed - 1)]
            start = lineFeed + 1
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  FieldValues.equalsIgnoringCase(trailers, line.startIndex..<colon, fieldName) else { continue }
            return outcome(value: trailers[(colon + 1)..<line.endIndex], status: status)
        }
        return nil
    }

    /// OK (0) and numbers gRPC does not define count as the HTTP status.
    private static func outcome(value: ArraySlice<UInt8>, status: Int) -> AttemptOutcome {
        let digits = value.drop { $0 == HTTP1Bytes.sp || $0 == HTTP1Bytes.htab }
        guard let number = Int(String(decoding: digits.prefix { HTTP1Bytes.isDigit($0) }, as: UTF8.self)),
              let code = GRPCCode(number: number) else { return .response(status: status) }
        return .grpc(code)
    }
}
