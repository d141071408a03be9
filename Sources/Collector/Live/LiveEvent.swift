import Market
import Storage

/// What a ``BinanceStream`` hands to the ``LiveRecorder``: a new trade or a detected gap.
public enum LiveEvent: Sendable {
    /// A new (de-duplicated) market trade and the monotonic instant its frame was received.
    case tick(Tick, receivedAt: ContinuousClock.Instant)
    /// A hole in a symbol's trade ids.
    case gap(StreamGap)
    /// The trades of a recorded gap have been queued (by ``GapBackfill``); mark it filled at `at` (UTC).
    case gapFilled(StreamGap, at: Timestamp)
}

/// The queue between stream(s) and recorder: an unbounded `AsyncStream` of ``LiveEvent``s.
///
/// Unbounded on purpose: the recorder drains it every ≤ 250 ms, and dropping trades under a burst
/// would be data loss; the status line shows the queue's lag when the database falls behind.
public struct LiveEventQueue: Sendable {
    public let events: AsyncStream<LiveEvent>
    let continuation: AsyncStream<LiveEvent>.Continuation

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
    }

    /// Enqueues one event (thread-safe, never blocks).
    public func send(_ event: LiveEvent) { continuation.yield(event) }

    /// No more events: the recorder drains what is queued and returns.
    public func finish() { continuation.finish() }
}
