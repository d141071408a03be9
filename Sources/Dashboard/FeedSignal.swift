import Synchronization

/// A wake-up call for the ``LiveFeed``: a collector in the same process rings it after each commit, so the feed
/// reads the newest bars right away instead of at its next poll.
///
/// Rings are not counted: any number of rings while the feed is busy wake its next wait once, and none is lost.
/// One waiter at a time (the feed's loop; the application's Redis buffer uses its own signal the same way).
///
/// ```swift
/// let signal = FeedSignal()
/// let commit: LiveRecorder.Commit = { batch in try inner(batch); signal.ring() }
/// let feed = LiveFeed(store: store, hub: hub, timeframes: timeframes, signal: signal, logger: logger)
/// ```
public final class FeedSignal: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiting feed, or its next wait. Cheap (a lock); callable from any thread.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (at once if rung since the last wait) or after `timeout`, whichever is first.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Suspends until rung (at once if rung since the last wait); returns early when the task is cancelled.
    public func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock: a cancellation that came first is seen here; one that comes later finds the waiter.
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
