import Engine
@testable import Proxy
import NIOCore
import XCTest

// MARK: - AttemptGlueTests

/// The pieces of the attempt loop's glue that need no socket: the request
/// body's replay copy, and what the heads carry for deadlines and retries.
final class AttemptGlueTests: XCTestCase {
    let allocator = ByteBufferAllocator()

    func take(_ body: inout RequestBodyState, _ text: String) throws -> String {
        var inbound = allocator.buffer(string: text)
        var out = ""
        while let slice = try body.take(from: &inbound, maxBodySize: nil) { out += String(buffer: slice) }
        return out
    }

    func testABodyWithinTheLimitIsKeptForAReplay() throws {
        var body = RequestBodyState(.contentLength(10), keepForReplay: true, replayLimit: 64, allocator: allocator)
        XCTAssertTrue(body.replayable, "nothing sent yet")
        XCTAssertEqual(try take(&body, "hello"), "hello")
        XCTAssertFalse(body.replayable, "half sent: a retry could not send it whole")
        XCTAssertEqual(try take(&body, "worldGET / HTTP/1.1"), "world", "the pipelined request behind it is not body")
        XCTAssertTrue(body.isDone)
        XCTAssertTrue(body.replayable)
        XCTAssertEqual(body.replay.map { String(buffer: $0) }, "helloworld")
    }

    func testABodyPastTheLimitOrOfAnUnsafeMethodIsNotKept() throws {
        var long = RequestBodyState(.chunked, keepForReplay: true, replayLimit: 8, allocator: allocator)
        XCTAssertEqual(try take(&long, "5\r\nhello\r\n"), "5\r\nhello\r\n")
        XCTAssertEqual(try take(&long, "5\r\nworld\r\n0\r\n\r\n"), "5\r\nworld\r\n0\r\n\r\n")
        XCTAssertTrue(long.isDone)
        XCTAssertNil(long.replay, "past 8 bytes the copy is dropped")
        XCTAssertFalse(long.replayable)

        let declared = RequestBodyState(.contentLength(100), keepForReplay: true, replayLimit: 64, allocator: allocator)
        XCTAssertNil(declared.replay, "a declared length past the limit is never copied")
        var post = RequestBodyState(.contentLength(2), keepForReplay: false, replayLimit: 64, allocator: allocator)
        _ = try take(&post, "hi")
        XCTAssertFalse(post.replayable)
        XCTAssertTrue(RequestBodyState(.none, keepForReplay: false, replayLimit: 64, allocator: allocator).replayable)
    }

    func testAChunkedBodyPastMaxBodySizeIsRefused() {
        var body = RequestBodyState(.chunked, keepForReplay: false, replayLimit: 0, allocator: allocator)
        var inbound = allocator.buffer(string: "a\r\n0123456789\r\n")
        XCTAssertThrowsError(try body.take(from: &inbound, maxBodySize: 4))
    }

    func testTheForwardedHeadCarriesTheDeadlineLeftAndDropsTheCallers() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nl5d-ctx-deadline: 1 999999999999\r\n\r\n"
        guard case .complete(let head) = RequestHeadParser().parse(Array(text.utf8)) else { return XCTFail() }
        let context = HeadRewriter.RequestContext(clientAddress: nil, logicalName: "/svc/a", boundName: "/#/disco/a",
                                                  forwardDtab: false, endpoint: "127.0.0.1:1", deadline: DeadlineHeader.Value(timestamp: 100, deadline: 200))
        let out = String(buffer: HeadRewriter.request(head, context: context))
        XCTAssertTrue(out.contains("\r\nl5d-ctx-deadline: 100 200\r\n"), out)
        XCTAssertFalse(out.contains("999999999999"), out)
    }

    func testResponsesSayWhetherTheRequestIsSafeToRetry() throws {
        let bytes = Array("HTTP/1.1 503 Service Unavailable\r\nl5d-retryable: maybe\r\nContent-Length: 0\r\n\r\n".utf8)
        guard case .complete(let head) = bytes.withUnsafeBufferPointer({ ResponseHeadParser().parse($0, requestMethod: "GET") }) else {
            return XCTFail()
        }
        let marked = String(buffer: HeadRewriter.response(head, clientVersion: .http11, closeClient: false, retryable: true))
        XCTAssertTrue(marked.contains("\r\nl5d-retryable: true\r\n"), marked)
        XCTAssertFalse(marked.contains("maybe"), "the backend's own claim is replaced")
        let plain = String(buffer: HeadRewriter.response(head, clientVersion: .http11, closeClient: false))
        XCTAssertFalse(plain.contains("l5d-retryable"), plain)
        XCTAssertTrue(String(decoding: ErrorResponse.bytes(status: 502, error: "x", close: false, retryable: true), as: UTF8.self)
            .contains("l5d-retryable: true\r\n"))
    }
}
