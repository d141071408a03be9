import Collector
import Logging
import Market
import PostgresStorage
import Storage

/// The live collector on PostgreSQL: several collectors, on any machines, each recording its leased symbols into one
/// database.
extension PostgresStore: LiveStore {
    /// Each batch through ``PostgresStorage/PostgresStore/record(_:timeframes:gaps:filledGaps:keepingBars:)``: every
    /// symbol's trades, bars and gap rows in one transaction (the symbols of a batch at once, on their own
    /// connections). A batch retried after a failure stores what is missing and records each gap once.
    public nonisolated func liveCommit(timeframes: [Timeframe], logger: Logger,
                                       then committed: (@Sendable (CommittedBatch) -> Void)?) -> LiveRecorder.Commit {
        { batch in
            let result = try await self.record(batch.ticks, timeframes: timeframes, gaps: batch.gaps, filledGaps: batch.filledGaps,
                                               keepingBars: committed != nil)
            guard let committed else { return }
            // CommittedBatch's order: by timeframe, then symbol.
            let bars = result.touched.sorted { ($0.timeframe, $0.symbol) < ($1.timeframe, $1.symbol) }
                .flatMap { series in series.bars.map { ResampledBar(symbol: series.symbol, timeframe: series.timeframe, bar: $0) } }
            committed(CommittedBatch(ticks: batch.ticks, bars: bars))
        }
    }
}
