import Engine
import NIOCore

// MARK: - HeadRewriter

/// Writes the heads the proxy forwards: the received field lines copied as
/// bytes, minus hop-by-hop fields (RFC 9110 section 7.6.1) and the ones the
/// proxy owns, plus Via, X-Forwarded-For/-Proto and Linkerd's l5d-dst-*.
/// Heads are written straight into the buffer that is sent (no byte array
/// copied into one afterwards).
public enum HeadRewriter {
    /// What the proxy adds to a forwarded request.
    public struct RequestContext: Sendable {
        public var clientAddress: String?
        public var logicalName: String
        public var boundName: String
        /// Whether `l5d-dtab` may pass (the listener allows overrides).
        public var forwardDtab: Bool
        /// The Host to send when the request has none (HTTP/1.0): the
        /// endpoint's address, as a client connecting to it would send.
        public var endpoint: String
        /// The `l5d-ctx-deadline` value to send: the time this attempt has left.
        public var deadline: DeadlineHeader.Value?
        /// Whether the client came over TLS (`X-Forwarded-Proto: https`).
        public var tls = false
        /// The `grpc-timeout` value to send in place of the caller's (gRPC
        /// requests with a deadline): the time left too.
        public var grpcTimeout: String?
        /// `l5d-reqid`: the request's id (its trace id), the same on every attempt.
        public var requestID: TraceID?
        /// The attempt span's propagation fields, which replace the request's
        /// own; nil (not tracing) passes the request's on unchanged.
        public var traceFields: [(String, String)]?

        public init(clientAddress: String?, logicalName: String, boundName: String, forwardDtab: Bool, endpoint: String,
                    deadline: DeadlineHeader.Value? = nil, grpcTimeout: String? = nil, requestID: TraceID? = nil,
                    traceFields: [(String, String)]? = nil) {
            self.clientAddress = clientAddress
            self.logicalName = logicalName
            self.boundName = boundName
            self.forwardDtab = forwardDtab
            self.endpoint = endpoint
            self.deadline = deadline
            self.grpcTimeout = grpcTimeout
            self.requestID = requestID
            self.traceFields = traceFields
        }
    }

    /// The head to send to the backend, in a new buffer.
    public static func request(_ head: RequestHead, context: RequestContext, allocator: ByteBufferAllocator = ByteBufferAllocator())
        -> ByteBuffer {
        var out = allocator.buffer(capacity: head.bytes.count + 160)
        request(head, context: context, into: &out)
        return out
    }

    /// Appends the head to send to the backend (always HTTP/1.1, origin-form
    /// target) to `out`: the proxy writes it into a buffer it reuses.
    public static func request(_ head: RequestHead, context: RequestContext, into out: inout ByteBuffer) {
        out += head.method.utf8
        out.writeInteger(HTTP1Bytes.sp)
        out += originForm(head.target).utf8
        out += " HTTP/1.1\r\n".utf8
        let listed = connectionListed(head.bytes, head.fields)
        // Via and X-Forwarded-For are written once, after the loop, from the
        // received values as bytes: no list of strings per request.
        var hasVia = false
        var hasForwardedFor = false
        var hasProto = false
        for field in head.fields {
            switch field.kind {
            case .l5dOwned, .l5dDeadline: continue
            case .grpcTimeout where context.grpcTimeout != nil: continue
            case .l5dDtab where !context.forwardDtab: continue
            case .traceContext where context.traceFields != nil: continue
            case .via: hasVia = true; continue
            case .xForwardedFor: hasForwardedFor = true; continue
            case .xForwardedProto: hasProto = true
            // RFC 9112 section 3.2.2: an absolute-form target's authority
            // replaces Host, so the two never reach the backend disagreeing.
            case .host where head.targetAuthority != nil: continue
            // HTTP/1.0 expectations are ignored (RFC 9110 section 10.1.1);
            // forwarded as HTTP/1.1 they would start to mean something.
            case .expect where head.version == .http10: continue
            case .contentLength: continue
            case let kind where kind.isHopByHop: continue
            default: break
            }
            if !listed.isEmpty, listed.contains(lowercasedName(head.bytes, field)) { continue }
            out += head.bytes[field.line]
        }
        if let length = head.contentLength {
            out += "Content-Length: ".utf8
            HTTP1Bytes.writeDecimal(Int64(clamping: length), to: &out)
            out += "\r\n".utf8
        }
        // The forwarded request is HTTP/1.1, which must carry Host.
        if let authority = head.targetAuthority ?? (head.value(.host) == nil ? context.endpoint : nil) {
            out += "Host: ".utf8
            out += authority.utf8
            out += "\r\n".utf8
        }
        if let upgrade = head.upgrade {
            out += "Upgrade: \(upgrade)\r\nConnection: upgrade\r\n".utf8
        }
        out += "Via: ".utf8
        if hasVia { appendValues(of: .via, head.bytes, head.fields, to: &out) }
        out += (head.version == .http10 ? "1.0 switchyard\r\n" : "1.1 switchyard\r\n").utf8
        if hasForwardedFor || context.clientAddress != nil {
            out += "X-Forwarded-For: ".utf8
            if hasForwardedFor { appendValues(of: .xForwardedFor, head.bytes, head.fields, to: &out) }
            if let client = context.clientAddress {
                out += client.utf8
            } else {
                out.moveWriterIndex(to: out.writerIndex - 2)  // the last value's ", "
            }
            out += "\r\n".utf8
        }
        if !hasProto { out += (context.tls ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n").utf8 }
        out += "l5d-dst-service: ".utf8
        out += context.logicalName.utf8
        out += "\r\nl5d-dst-client: ".utf8
        out += context.boundName.utf8
        if let deadline = context.deadline {
            out += "\r\nl5d-ctx-deadline: ".utf8
            HTTP1Bytes.writeDecimal(deadline.timestamp, to: &out)
            out += " ".utf8
            HTTP1Bytes.writeDecimal(deadline.deadline, to: &out)
        }
        if let timeout = context.grpcTimeout {
            out += "\r\ngrpc-timeout: ".utf8
            out += timeout.utf8
        }
        if let id = context.requestID {
            out += "\r\nl5d-reqid: ".utf8
            id.write(into: &out)
        }
        for (name, value) in context.traceFields ?? [] {
            out += "\r\n".utf8
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
        }
        out += "\r\n\r\n".utf8
    }

    /// The head to send to the client. `closeClient` adds `Connection: close`;
    /// a keep-alive HTTP/1.0 client gets `Connection: keep-alive`.
    /// `retryable` adds `l5d-retryable: true` (Linkerd's mark that the
    /// request is known safe to send again); a backend's own is dropped.
    public static func response(_ head: ResponseHead, clientVersion: RequestHead.Version, closeClient: Bool,
                                retryable: Bool = false, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var out = allocator.buffer(capacity: head.bytes.count + 64)
        response(head, clientVersion: clientVersion, closeClient: closeClient, retryable: retryable, into: &out)
        return out
    }

    /// Appends the head to send to the client to `out` (see above).
    public static func response(_ head: ResponseHead, clientVersion: RequestHead.Version, closeClient: Bool,
                                retryable: Bool = false, into out: inout ByteBuffer) {
        guard let lineEnd = RequestHeadParser.firstCRLF(head.bytes, from: 0) else {
            out.writeBytes(head.bytes)
            return
        }
        out += "HTTP/1.1".utf8
        out += head.bytes[8..<(lineEnd + 2)]
        let listed = connectionListed(head.bytes, head.fields)
        var hasVia = false
        for field in head.fields {
            switch field.kind {
            case .upgrade where head.status == 101:
                out += head.bytes[field.line]
                continue
            case .via:
                hasVia = true
                continue
            case .l5dRetryable: continue
            case let kind where kind.isHopByHop: continue
            default: break
            }
            if !listed.isEmpty, listed.contains(lowercasedName(head.bytes, field)) { continue }
            out += head.bytes[field.line]
        }
        out += "Via: ".utf8
        if hasVia { appendValues(of: .via, head.bytes, head.fields, to: &out) }
        out += (head.version == .http10 ? "1.0 switchyard\r\n" : "1.1 switchyard\r\n").utf8
        if retryable { out += "l5d-retryable: true\r\n".utf8 }
        if head.status == 101 {
            out += "Connection: upgrade\r\n".utf8
        } else if closeClient {
            out += "Connection: close\r\n".utf8
        } else if clientVersion == .http10 {
            out += "Connection: keep-alive\r\n".utf8
        }
        out += "\r\n".utf8
    }

    // MARK: Helpers

    /// The values of every field of `kind`, each followed by ", ", as received.
    static func appendValues(of kind: FieldKind, _ bytes: [UInt8], _ fields: [RequestHead.Field], to out: inout ByteBuffer) {
        for field in fields where field.kind == kind {
            out += bytes[field.value]
            out += ", ".utf8
        }
    }

    /// Extra field names the Connection field lists (beyond the usual
    /// `close`, `keep-alive`, `upgrade`), which are hop-by-hop too. Usually
    /// empty. Framing fields and Host are never removed this way: a
    /// `Connection: content-length` would otherwise strip the length the
    /// proxy read the body by (requests listing them are refused already).
    static func connectionListed(_ bytes: [UInt8], _ fields: [RequestHead.Field]) -> Set<String> {
        var names: Set<String> = []
        for field in fields where field.kind == .connection {
            FieldValues.forEachElement(bytes, field.value) { token in
                if FieldValues.equalsIgnoringCase(bytes, token, "close") || FieldValues.equalsIgnoringCase(bytes, token, "keep-alive")
                    || FieldValues.equalsIgnoringCase(bytes, token, "upgrade") { return }
                if FieldKind.classify(bytes, token).isEndToEndFraming { return }
                names.insert(String(decoding: bytes[token].map(HTTP1Bytes.lower), as: UTF8.self))
            }
        }
        return names
    }

    static func lowercasedName(_ bytes: [UInt8], _ field: RequestHead.Field) -> String {
        String(decoding: bytes[field.name].map(HTTP1Bytes.lower), as: UTF8.self)
    }

    /// `http://host/a?b` is `/a?b`; origin-form targets stay as they are.
    static func originForm(_ target: String) -> String {
        // The parser let through only origin-form, `*` and http(s) URIs.
        guard !target.hasPrefix("/"), target != "*", let colon = target.firstIndex(of: ":") else { return target }
        let rest = target[colon...].dropFirst(3)
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        return rest[slash] == "?" ? "/" + rest[slash...] : String(rest[slash...])
    }
}

// MARK: - Writing

/// `out += bytes`, as the head was written when it was a byte array.
private func += (out: inout ByteBuffer, bytes: String.UTF8View) {
    out.writeBytes(bytes)
}

private func += (out: inout ByteBuffer, bytes: ArraySlice<UInt8>) {
    out.writeBytes(bytes)
}
