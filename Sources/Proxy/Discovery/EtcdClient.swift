import AsyncHTTPClient
import Engine
import Foundation
import NIOCore
import NIOHTTP1

// MARK: - EtcdClient

/// The three etcd v3 calls Switchyard makes, through etcd's JSON gateway
/// (`/v3/…`, etcd 3.4 and later; keys and values travel base64, 64-bit
/// numbers as strings): a range read, a watch stream, and a put guarded by
/// a compare on the key's modification revision. Off the request path only.
public struct EtcdClient: Sendable {
    /// `http://HOST:PORT`.
    public let base: String
    let client: HTTPClient

    public init(base: String, client: HTTPClient = ControlPlaneClient.http) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.client = client
    }

    public struct KeyValue: Sendable, Hashable {
        public var key: String
        public var value: [UInt8]
        public var modRevision: Int64
    }

    /// Every key from `key` up to `rangeEnd` (a single key when nil), and
    /// the store's revision the answer is current to.
    public func range(_ key: String, rangeEnd: [UInt8]? = nil) async throws -> (kvs: [KeyValue], revision: Int64) {
        var body: [String: Any] = ["key": Self.base64(key)]
        if let rangeEnd { body["range_end"] = Self.base64(rangeEnd) }
        let answer = try await call("/v3/kv/range", body)
        let kvs = (answer["kvs"] as? [[String: Any]] ?? []).compactMap(Self.keyValue)
        return (kvs, Self.revision(of: answer))
    }

    /// Writes `value` if the key's modification revision is still
    /// `expectedRevision` (0: the key must not exist). Returns the new
    /// revision, or nil when another writer got there first.
    public func compareAndPut(_ key: String, value: String, expectedRevision: Int64) async throws -> Int64? {
        let encodedKey = Self.base64(key)
        let body: [String: Any] = [
            "compare": [["key": encodedKey, "target": "MOD", "result": "EQUAL", "mod_revision": String(expectedRevision)]],
            "success": [["request_put": ["key": encodedKey, "value": Self.base64(value)]]],
        ]
        let answer = try await call("/v3/kv/txn", body)
        return answer["succeeded"] as? Bool == true ? Self.revision(of: answer) : nil
    }

    // MARK: Watch

    /// Streams the changes to `key`…`rangeEnd` from `startRevision` on,
    /// calling `onChanges` for each batch, until the stream ends (throws
    /// `EtcdError.disconnected`), the revision was compacted
    /// (`EtcdError.compacted`) or the task is cancelled.
    public func watch(_ key: String, rangeEnd: [UInt8]?, from startRevision: Int64, onOpen: () -> Void,
                      onChanges: ([EtcdKeyspace.Change]) -> Void) async throws -> Never {
        var create: [String: Any] = ["key": Self.base64(key), "start_revision": String(startRevision)]
        if let rangeEnd { create["range_end"] = Self.base64(rangeEnd) }
        let response = try await send("/v3/watch", ["create_request": create], timeout: .seconds(5))
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 64 * 1024)
            throw EtcdError.status(Int(response.status.code), String(buffer: body))
        }
        var framer = JSONStreamFramer()
        for try await chunk in response.body {
            for message in framer.feed(chunk.readableBytesView) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] else {
                    throw EtcdError.malformed("a watch message is not JSON")
                }
                if let error = object["error"] as? [String: Any] {
                    throw EtcdError.status(500, error["message"] as? String ?? "watch error")
                }
                let result = object["result"] as? [String: Any] ?? [:]
                if result["created"] as? Bool == true {
                    // An etcd that restarted without its data is behind what we saw: list again.
                    if Self.revision(of: result) < startRevision - 1 { throw EtcdError.compacted(0) }
                    onOpen()
                }
                if let compacted = (result["compact_revision"] as? String).flatMap(Int64.init), compacted > 0 {
                    throw EtcdError.compacted(compacted)
                }
                if result["canceled"] as? Bool == true {
                    throw EtcdError.status(500, "watch canceled: \(result["cancel_reason"] as? String ?? "no reason given")")
                }
                let changes = (result["events"] as? [[String: Any]] ?? []).compactMap(Self.change)
                if !changes.isEmpty { onChanges(changes) }
            }
        }
        throw EtcdError.disconnected
    }

    // MARK: Wire

    func call(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        let response = try await send(path, body, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard response.status == .ok else { throw EtcdError.status(Int(response.status.code), String(buffer: bytes)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] else {
            throw EtcdError.malformed("\(path) did not answer JSON")
        }
        return object
    }

    func send(_ path: String, _ body: [String: Any], timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        do {
            return try await client.execute(request, timeout: timeout)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw EtcdError.unreachable("\(base): \(ControlPlaneClient.describe(error))")
        }
    }

    static func keyValue(_ object: [String: Any]) -> KeyValue? {
        guard let key = (object["key"] as? String).flatMap(Self.decode) else { return nil }
        let value = (object["value"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
        return KeyValue(key: String(decoding: key, as: UTF8.self), value: value,
                        modRevision: (object["mod_revision"] as? String).flatMap(Int64.init) ?? 0)
    }

    static func change(_ event: [String: Any]) -> EtcdKeyspace.Change? {
        guard let kv = (event["kv"] as? [String: Any]).flatMap(keyValue) else { return nil }
        // PUT is the enum's zero value, which proto3 JSON leaves out.
        return event["type"] as? String == "DELETE" ? .delete(key: kv.key, revision: kv.modRevision)
            : .put(key: kv.key, value: kv.value, revision: kv.modRevision)
    }

    static func revision(of answer: [String: Any]) -> Int64 {
        ((answer["header"] as? [String: Any])?["revision"] as? String).flatMap(Int64.init) ?? 0
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func decode(_ base64: String) -> [UInt8]? { Data(base64Encoded: base64).map { [UInt8]($0) } }

    /// The end of the range of every key that starts with `prefix`.
    public static func prefixEnd(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]
    }
}

// MARK: - EtcdError

public enum EtcdError: Error, Sendable, CustomStringConvertible {
    case unreachable(String)
    case status(Int, String)
    case malformed(String)
    /// The watch's start revision is gone from history: list again.
    case compacted(Int64)
    case disconnected

    public var description: String {
        switch self {
        case .unreachable(let words): return "cannot reach etcd at \(words)"
        case .status(let code, let body): return "etcd answered \(code): \(body.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .malformed(let words): return "etcd: \(words)"
        case .compacted(let revision): return "etcd compacted its history up to revision \(revision)"
        case .disconnected: return "the etcd watch stream ended"
        }
    }
}
