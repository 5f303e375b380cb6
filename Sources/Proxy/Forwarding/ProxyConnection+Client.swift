import NIOCore

// MARK: - The client end

/// Everything the request path does to its client (write, flush, close,
/// pause reading, ask whether it can take more) goes through here, so one
/// request path serves an HTTP/1.x connection and an HTTP/2 stream alike.
extension ProxyConnection {
    /// Where a connection's client is.
    enum Client {
        /// An HTTP/1.x connection: this handler's place in its pipeline.
        case channel(ChannelHandlerContext)
        /// One stream of an HTTP/2 connection, served without a channel of
        /// its own: `HTTP2ServerSession` hands its frames over.
        case stream(HTTP2ServerStream)
    }

    /// Writes to the client, counting the bytes; `flushClient` sends them.
    func writeToClient(_ buffer: ByteBuffer) {
        counters.sent += buffer.readableBytes
        switch client {
        case .channel(let context)?: context.write(wrapOutboundOut(buffer), promise: nil)
        case .stream(let stream)?: stream.write(buffer)
        case nil: break
        }
    }

    func flushClient() {
        switch client {
        case .channel(let context)?: context.flush()
        case .stream(let stream)?: stream.flush()
        case nil: break
        }
    }

    /// Whether the client takes more bytes now (reading from the backend
    /// follows it).
    var clientIsWritable: Bool {
        switch client {
        case .channel(let context)?: context.channel.isWritable
        case .stream(let stream)?: stream.isWritable
        case nil: false
        }
    }

    /// Closes at once (a stream is reset unless its response is complete).
    func closeClient() {
        switch client {
        case .channel(let context)?: context.close(promise: nil)
        case .stream(let stream)?: stream.close()
        case nil: break
        }
    }

    /// Closes once what was written has been sent. `linger`: the client may
    /// still be sending a body, so a connection closes only its output and
    /// drops what still arrives for a while (`lingeringClose`); a stream
    /// whose response is complete is reset with NO_ERROR, which tells an
    /// HTTP/2 client to stop sending (RFC 9113 section 8.1).
    func closeClientWhenSent(linger: Bool) {
        switch client {
        case .channel(let context)?:
            context.writeAndFlush(wrapOutboundOut(allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { [weak self] _ in
                if linger { self?.lingeringClose() } else { context.close(promise: nil) }
            }
        case .stream(let stream)?:
            stream.flush()
            stream.close()
        case nil:
            break
        }
    }

    /// Closes after an error response the client may still be sending a
    /// body behind: shuts the write side, reads and drops what still
    /// arrives for up to two seconds, then closes. Closing at once with
    /// unread bytes would reset the connection, and a reset can destroy
    /// the response before the client reads it (nginx's lingering close).
    func lingeringClose() {
        guard case .channel(let context)? = client else {
            closeClient()
            return
        }
        setClientReading(true)
        context.close(mode: .output, promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) { [weak self] in
            self?.closeClient()
        }
    }
}
