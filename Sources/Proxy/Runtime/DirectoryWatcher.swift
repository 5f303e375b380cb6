import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

// MARK: - DirectoryWatcher

/// Tells when something in a set of directories changed, through Linux's
/// inotify, so an edited endpoint file or rule file reaches routing in
/// milliseconds instead of at the next one-second poll (which stays, as the
/// fallback for directories that do not exist yet and for other systems).
/// A thread of its own blocks in `poll`; the request path never sees it.
public final class DirectoryWatcher: Sendable {
    private let fd: Int32
    private let watched = NIOLockedValueBox<Set<String>>([])
    private let stopped = NIOLockedValueBox(false)

    /// Nil where inotify is not available.
    public init?() {
        #if os(Linux)
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return nil }
        #else
        return nil
        #endif
    }

    /// Watches `directory` (again is harmless; a missing one is skipped and
    /// may be given again once it exists).
    public func watch(_ directory: String) {
        #if os(Linux)
        guard !watched.withLockedValue({ $0.contains(directory) }) else { return }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF)
        if inotify_add_watch(fd, directory, mask) >= 0 { _ = watched.withLockedValue { $0.insert(directory) } }
        #endif
    }

    /// One element per burst of changes, until `stop`.
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let fd = self.fd
        let stopped = self.stopped
        let watched = self.watched
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while !stopped.withLockedValue({ $0 }) {
                var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&request, 1, 250) > 0 else { continue }
                var changed = false
                while true {
                    let count = read(fd, &buffer, buffer.count)
                    guard count > 0 else { break }
                    changed = true
                }
                // A watched directory that was removed stops being watched;
                // forget it so it is added again when it comes back.
                watched.withLockedValue { $0.removeAll() }
                if changed { continuation.yield() }
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }

    public func stop() {
        stopped.withLockedValue { $0 = true }
    }

    deinit {
        close(fd)
    }
}
