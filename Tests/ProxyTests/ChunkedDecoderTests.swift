import Proxy
import XCTest

// MARK: - ChunkedDecoderTests

final class ChunkedDecoderTests: XCTestCase {
    /// Decodes `text` fed in pieces of `step` bytes; returns the body, bytes consumed and trailers.
    func decode(_ text: String, step: Int = .max) throws -> (body: String, consumed: Int, trailers: String, finished: Bool) {
        var decoder = ChunkedDecoder()
        let bytes = Array(text.utf8)
        var body: [UInt8] = []
        var offset = 0
        while offset < bytes.count, !decoder.isFinished {
            let piece = Array(bytes[offset..<min(bytes.count, offset + step)])
            let used = try decoder.decode(piece) { range in body += piece[range] }
            offset += used
            if used < piece.count { break }
        }
        return (String(decoding: body, as: UTF8.self), offset, String(decoding: decoder.trailers, as: UTF8.self), decoder.isFinished)
    }

    func testBodyAndEnd() throws {
        let result = try decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        XCTAssertEqual(result.body, "hello world")
        XCTAssertTrue(result.finished)
        XCTAssertEqual(result.consumed, 26)
    }

    func testByteByByteGivesTheSameResult() throws {
        let text = "a;x=1\r\n0123456789\r\n1\r\nZ\r\n0\r\nX-Sum: 1\r\n\r\n"
        let whole = try decode(text)
        let pieces = try decode(text, step: 1)
        XCTAssertEqual(whole.body, "0123456789Z")
        XCTAssertEqual(pieces.body, whole.body)
        XCTAssertEqual(pieces.trailers, "X-Sum: 1\r\n")
        XCTAssertEqual(pieces.consumed, whole.consumed)
    }

    func testExtensionsAndUpperCaseHex() throws {
        XCTAssertEqual(try decode("A ; name = \"q\\\"d\" ;flag\r\n0123456789\r\n0\r\n\r\n").body, "0123456789")
    }

    func testBytesAfterTheEndAreLeftForTheNextRequest() throws {
        let result = try decode("1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n")
        XCTAssertEqual(result.consumed, 11)
    }

    func testInvalidChunksAreRefused() {
        let cases: [(String, HTTP1ParseError.Kind)] = [
            ("x\r\n", .invalidChunkSize), ("-1\r\n", .invalidChunkSize), (" 5\r\nhello\r\n", .invalidChunkSize),
            ("0x5\r\n", .invalidChunkSize), ("11111111111111111\r\n", .invalidChunkSize), ("\r\n", .invalidChunkSize),
            ("5 \r\nhello\r\n0\r\n\r\n", .invalidChunkExtension), ("5;\r\n", .invalidChunkExtension),
            ("5;a=\"open\r\n", .invalidChunkExtension), ("5;a=b c\r\n", .invalidChunkExtension),
            ("5\nhello", .bareLineFeed), ("5\rX", .bareCarriageReturn),
            ("5\r\nhelloX\r\n", .missingChunkTerminator), ("5\r\nhello\rX", .missingChunkTerminator),
            ("0\r\nBad Name: x\r\n\r\n", .invalidTrailer), ("0\r\n folded\r\n\r\n", .invalidTrailer),
            ("5;\(String(repeating: "a", count: 5000))\r\n", .chunkLineTooLong),
        ]
        for (text, kind) in cases {
            XCTAssertThrowsError(try decode(text), text.debugDescription) { error in
                XCTAssertEqual((error as? HTTP1ParseError)?.kind, kind, text.debugDescription)
            }
        }
    }
}
