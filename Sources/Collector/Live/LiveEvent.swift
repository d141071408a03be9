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
