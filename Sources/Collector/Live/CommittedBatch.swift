import Market

/// What one live commit stored, for consumers of live updates (``LiveRecorder/commit(through:then:)``): the batch's
/// trades and every bar they touched, as written.
public struct CommittedBatch: Sendable {
    /// The batch's trades in arrival order. A trade that was already stored (a backfill overlapping the stream) is
    /// included although the recorder skipped it: consumers that keep trades key them by symbol and trade id.
    public var ticks: [Tick]
    /// The bars written, grouped by timeframe, then symbol (``RecordResult/touched``).
    public var bars: [ResampledBar]

    public init(ticks: [Tick], bars: [ResampledBar]) {
        self.ticks = ticks
        self.bars = bars
    }
}
