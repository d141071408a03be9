import Collector
import Foundation
import Logging
import Market
import RedisClient
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
    /// The Redis live buffer (`--redis`), when configured.
    public let redis: RedisLiveBuffer<ContinuousClock>?

    /// Builds the parts and takes the symbols' leases; the gap detector resumes where `store` ends, so a hole across
    /// downtime becomes a gap.
    ///
    /// ```swift
    /// let store = try Store(path: "pairbook.sqlite", logger: logger)  // or a PostgresStore (StoreLocation.withLiveStore)
    /// let collector = try await LiveCollector(stream: configuration, timeframes: Timeframe.defaults, restEndpoint: nil,
    ///                                         apiKey: nil, store: store, statusInterval: .seconds(10),
    ///                                         statusLine: { _ in }, logger: logger)
    /// try await ServiceGroup(services: collector.services, logger: logger).run()
    /// ```
    ///
    /// - Parameters:
    ///   - restEndpoint: where gaps are backfilled from (`trade` streams also need `apiKey`).
    ///   - statusLine: where the status line goes every `statusInterval`.
    ///   - shareSymbols: record symbols that another collector leases alongside it instead of refusing.
    ///   - redis: where the live buffer writes the last trades and bar updates (nil: no buffer).
    ///   - afterCommit: called after each committed batch with its trades and bars, on the recorder's task (`pairbook
    ///     run` wakes the dashboard's live feed with it); it must return at once.
    /// - Throws: ``Storage/LeaseConflict`` when another collector records one of the symbols; what the store throws.
    public init(stream configuration: BinanceStreamConfiguration, timeframes: [Timeframe], restEndpoint: String?, apiKey: String?,
                store: any LiveStore, statusInterval: Duration, statusLine: @escaping @Sendable (String) -> Void, logger: Logger,
                stats: CollectorStats = CollectorStats(), shareSymbols: Bool = false, redis: RedisConfiguration? = nil,
                afterCommit: (@Sendable (CommittedBatch) -> Void)? = nil) async throws {
        let leases = LeaseKeeper(store: store, symbols: configuration.symbols, share: shareSymbols, clock: ContinuousClock(), logger: logger)
        try await leases.acquire()
        let lastStoredTrades: [Symbol: Tick]
        do {
            lastStoredTrades = try await store.lastTicks(of: configuration.symbols)
        } catch {
            try? await store.releaseLeases(of: leases.holder)
            throw error
        }
        self.init(stream: configuration, timeframes: timeframes, restEndpoint: restEndpoint, apiKey: apiKey, store: store,
                  statusInterval: statusInterval, statusLine: statusLine, logger: logger, stats: stats, redis: redis,
                  afterCommit: afterCommit, leases: leases, lastStoredTrades: lastStoredTrades)
    }

    private init(stream configuration: BinanceStreamConfiguration, timeframes: [Timeframe], restEndpoint: String?, apiKey: String?,
                 store: any LiveStore, statusInterval: Duration, statusLine: @escaping @Sendable (String) -> Void, logger: Logger,
                 stats: CollectorStats, redis: RedisConfiguration?, afterCommit: (@Sendable (CommittedBatch) -> Void)?,
                 leases: LeaseKeeper<ContinuousClock>, lastStoredTrades: [Symbol: Tick]) {
        self.leases = leases
        queue = LiveEventQueue()
        self.stats = stats
        let buffer = redis.map { RedisLiveBuffer(configuration: $0, logger: logger) }
        self.redis = buffer
        // Without a consumer of committed batches, the store need not hand the bars back (PostgreSQL reads them back).
        var consumer: (@Sendable (CommittedBatch) -> Void)?
        if buffer != nil || afterCommit != nil {
            consumer = { batch in
                buffer?.submit(batch)
                afterCommit?(batch)
            }
        }
        let commit = store.liveCommit(timeframes: timeframes, logger: logger, then: consumer)
        recorder = LiveRecorder(queue: queue, stats: stats, logger: logger, commit: commit)
        stream = BinanceStream(configuration: configuration, queue: queue, stats: stats, logger: logger,
                               lastStoredTrades: lastStoredTrades)
        backfill = GapBackfill.forStream(kind: configuration.kind, restEndpoint: restEndpoint, apiKey: apiKey, store: store,
                                         symbols: configuration.symbols, queue: queue, logger: logger)
        status = CollectorStatusReporter(stats: stats, queue: queue, interval: statusInterval, logger: logger, emit: statusLine)
    }

    /// The services in start order. A service group shuts down in reverse, so the status line, the backfill and the
    /// stream stop first, then the recorder, which commits everything received, then the leases are given up, and the
    /// Redis buffer, which writes the last commits, stops last.
    public var services: [any Service] {
        (redis.map { [$0] } ?? []) + [leases, recorder, stream] + (backfill.map { [$0] } ?? []) + [status]
    }
}
