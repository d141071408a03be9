import Collector
import Foundation
import Logging
import Market
import ServiceLifecycle
import Storage

/// The live collector's parts, wired once for `pairbook collect` and `pairbook run`: the stream, the recorder that
/// commits what it receives, the REST backfill of gaps (when the stream kind and endpoint allow one) and the status
/// line, sharing one queue and one set of counters.
public struct LiveCollector: Sendable {
    public let queue: LiveEventQueue
    public let stats: CollectorStats
    let recorder: LiveRecorder
    let stream: BinanceStream<ContinuousClock>
    let backfill: GapBackfill?
    let status: CollectorStatusReporter

    /// Builds the parts; the gap detector resumes where `store` ends, so a hole across downtime becomes a gap.
    ///
    /// - Parameters:
    ///   - restEndpoint: where gaps are backfilled from (`trade` streams also need `apiKey`).
    ///   - statusLine: where the status line goes every `statusInterval`.
    ///   - afterCommit: called after each committed batch (`pairbook run` wakes the dashboard's live feed with it).
    public init(stream configuration: BinanceStreamConfiguration, timeframes: [Timeframe], restEndpoint: String?, apiKey: String?,
                store: Store, statusInterval: Duration, statusLine: @escaping @Sendable (String) -> Void, logger: Logger,
                stats: CollectorStats = CollectorStats(), afterCommit: (@Sendable () -> Void)? = nil) throws {
        queue = LiveEventQueue()
        self.stats = stats
        let commit = LiveRecorder.commit(through: Recorder(store: store, timeframes: timeframes, logger: logger))
        recorder = LiveRecorder(queue: queue, stats: stats, logger: logger) { batch in
            try commit(batch)
            afterCommit?()
        }
        stream = BinanceStream(configuration: configuration, queue: queue, stats: stats, logger: logger,
                               lastStoredTrades: try store.lastTicks(of: configuration.symbols))
        backfill = GapBackfill.forStream(kind: configuration.kind, restEndpoint: restEndpoint, apiKey: apiKey, store: store,
                                         symbols: configuration.symbols, queue: queue, logger: logger)
        status = CollectorStatusReporter(stats: stats, queue: queue, interval: statusInterval, logger: logger, emit: statusLine)
    }

    /// The services in start order. A service group shuts down in reverse, so the status line, the backfill and the
    /// stream stop first and the recorder, which commits everything received, last.
    public var services: [any Service] {
        [recorder, stream] + (backfill.map { [$0] } ?? []) + [status]
    }
}
