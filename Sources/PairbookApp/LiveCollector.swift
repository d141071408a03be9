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
    let leases: LeaseKeeper<ContinuousClock>

    /// Builds the parts and takes the symbols' leases; the gap detector resumes where `store` ends, so a hole across
    /// downtime becomes a gap.
    ///
    /// - Parameters:
    ///   - restEndpoint: where gaps are backfilled from (`trade` streams also need `apiKey`).
    ///   - statusLine: where the status line goes every `statusInterval`.
    ///   - shareSymbols: record symbols that another collector leases alongside it instead of refusing.
    ///   - afterCommit: called after each committed batch (`pairbook run` wakes the dashboard's live feed with it).
    /// - Throws: ``Storage/LeaseConflict`` when another collector records one of the symbols; what the store throws.
    public init(stream configuration: BinanceStreamConfiguration, timeframes: [Timeframe], restEndpoint: String?, apiKey: String?,
                store: Store, statusInterval: Duration, statusLine: @escaping @Sendable (String) -> Void, logger: Logger,
                stats: CollectorStats = CollectorStats(), shareSymbols: Bool = false,
                afterCommit: (@Sendable () -> Void)? = nil) throws {
        let leases = LeaseKeeper(store: store, symbols: configuration.symbols, share: shareSymbols, clock: ContinuousClock(), logger: logger)
        try leases.acquire()
        do {
            try self.init(stream: configuration, timeframes: timeframes, restEndpoint: restEndpoint, apiKey: apiKey, store: store,
                          statusInterval: statusInterval, statusLine: statusLine, logger: logger, stats: stats, afterCommit: afterCommit,
                          leases: leases)
        } catch {
            try? store.releaseLeases(of: leases.holder)
            throw error
        }
    }

    private init(stream configuration: BinanceStreamConfiguration, timeframes: [Timeframe], restEndpoint: String?, apiKey: String?,
                 store: Store, statusInterval: Duration, statusLine: @escaping @Sendable (String) -> Void, logger: Logger,
                 stats: CollectorStats, afterCommit: (@Sendable () -> Void)?, leases: LeaseKeeper<ContinuousClock>) throws {
        self.leases = leases
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
    /// stream stop first, then the recorder, which commits everything received, and the leases are given up last.
    public var services: [any Service] {
        [leases, recorder, stream] + (backfill.map { [$0] } ?? []) + [status]
    }
}
