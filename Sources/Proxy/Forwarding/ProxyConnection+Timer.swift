import NIOCore

// MARK: - The connection's timer

/// A request's deadline, its attempt's deadline and the end of a backoff
/// are times kept on the request and the attempt (monotonic nanoseconds),
/// not scheduled tasks. The connection has one NIO timer, set for the
/// earliest of them; when it fires it acts on what has passed and sets
/// itself for what is left. It is moved only for a time earlier than the
/// one it is set for, so a keep-alive client whose every request has a
/// 10 s deadline costs one scheduled task per 10 s, not one per request
/// (a task is three allocations and a promise). Ending a request just
/// clears its times: a timer that fires for nothing sets itself again
/// only if something is due.
extension ProxyConnection {
    /// Makes sure the timer fires by `time`.
    func armTimer(at time: UInt64) {
        guard time < timerAt else { return }
        timer?.cancel()
        timerAt = time
        timer = runtime.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(time)) { [weak self] in
            self?.timerFired()
        }
    }

    /// Acts on every time that has passed, then sets the timer for the next.
    private func timerFired() {
        timer = nil
        timerAt = .max
        let now = NIODeadline.now().uptimeNanoseconds
        if let request, case .forwarding = state {
            if let deadline = request.deadlineAt, deadline <= now {
                requestDeadlinePassed()
            } else if let attempt = request.attempt, let deadline = attempt.deadlineAt, deadline <= now {
                attempt.deadlineAt = nil
                attemptFailed(.attemptTimeout, detail: nil)
            } else if let until = request.backoffUntil, until <= now {
                request.backoffUntil = nil
                perform(request.machine.backoffElapsed(now: now))
            }
        }
        // What the actions above left (or started), and anything not yet due.
        if let next = nextTime() { armTimer(at: next) }
    }

    /// The earliest time the current request waits for, if any.
    private func nextTime() -> UInt64? {
        guard let request, case .forwarding = state else { return nil }
        let times = (request.deadlineAt ?? .max, request.attempt?.deadlineAt ?? .max, request.backoffUntil ?? .max)
        let next = min(times.0, times.1, times.2)
        return next == .max ? nil : next
    }
}
