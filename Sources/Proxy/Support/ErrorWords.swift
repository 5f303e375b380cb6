import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

// MARK: - ErrorWords

/// NIO's errors in the words an operator reads in `l5d-err` and logs:
/// `refused`, `timed out`, `address already in use`, instead of their
/// debug dumps (`NIOConnectionError(host: …, dnsAError: nil, …)`).
public enum ErrorWords {
    public static func describe(_ error: Error) -> String {
        if let connection = error as? NIOConnectionError {
            if let first = connection.connectionErrors.first { return describe(first.error) }
            return "no address to connect to"
        }
        if let io = error as? IOError { return errnoWords(io.errnoCode) }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return "timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof: return "the connection closed"
            default: return "\(channel)"
            }
        }
        return "\(error)"
    }

    /// strerror-like words for the errno values a proxy meets.
    static func errnoWords(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: return "refused"
        case ETIMEDOUT: return "timed out"
        case EHOSTUNREACH, ENETUNREACH: return "unreachable"
        case ECONNRESET: return "reset by the peer"
        case EADDRINUSE: return "address already in use"
        case EADDRNOTAVAIL: return "address not available on this machine"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
