import Logging
import Market
import Storage

/// What the live collector needs from its database, whichever it is: the SQLite ``Storage/Store`` (conformance here)
/// or the PostgreSQL store (conformance in the application layer, so that this module never imports it).
///
/// The collector's parts each use a slice: ``LiveRecorder`` commits through ``liveCommit(timeframes:logger:then:)``;
/// ``BinanceStream`` starts from ``lastTicks(of:)`` (a hole across downtime is a gap); ``GapBackfill`` reads
/// ``gaps(for:)``; ``LeaseKeeper`` takes, renews and gives up the leases. Every requirement is `async`: the SQLite
/// store satisfies them with its synchronous methods, unchanged.
///
/// ```swift
/// let store: any LiveStore = try Store(path: "pairbook.sqlite", logger: logger)
/// let commit = store.liveCommit(timeframes: Timeframe.defaults, logger: logger, then: nil)
/// let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger, commit: commit)
/// ```
public protocol LiveStore: Sendable {
    /// The store as named in messages: `sqlite:PATH`, or `postgres://user@host:port/database` (no password).
    var location: String { get }

    // MARK: - Recording

    /// The live recorder's commit into this store: each batch's trades (already stored ones skipped), the bars of
    /// `timeframes` they touch, its new gaps and the gaps its backfilled trades complete, so that a symbol's trades,
    /// bars and gap rows commit together or not at all. A failed commit may be retried with the same batch.
    ///
    /// - Parameter committed: called after each committed batch with its trades and the bars written, on the
    ///   recorder's task; it must return at once.
    func liveCommit(timeframes: [Timeframe], logger: Logger,
                    then committed: (@Sendable (CommittedBatch) -> Void)?) -> LiveRecorder.Commit

    /// The newest stored trade of each of `symbols` (latest time, then highest trade id); symbols without trades are
    /// absent.
    func lastTicks(of symbols: [Symbol]) async throws -> [Symbol: Tick]

    /// Recorded gaps, newest first (by the time of the trade before the hole), of one symbol or of all.
    func gaps(for symbol: Symbol?) async throws -> [StreamGap]

    // MARK: - Leases

    /// Takes (or renews) the lease on each of `symbols` for `holder` until `at + ttl`, all or none: another holder's
    /// unexpired lease is a ``Storage/LeaseConflict`` unless `isAbandoned` says its process is gone, or `share` is set
    /// (the lease then stays with the other holder).
    ///
    /// - Returns: the symbols now leased by `holder`.
    func acquireLeases(on symbols: [Symbol], for holder: LeaseHolder, at: Timestamp, ttl: TimeSpan, share: Bool,
                       isAbandoned: @Sendable (CollectorLease) -> Bool) async throws -> [Symbol]
    /// Extends every lease `holder` still has until `at + ttl`; returns the symbols still leased.
    func renewLeases(of holder: LeaseHolder, at: Timestamp, ttl: TimeSpan) async throws -> [Symbol]
    /// Gives up every lease of `holder`.
    func releaseLeases(of holder: LeaseHolder) async throws
    /// Every lease, by symbol.
    func collectorLeases() async throws -> [CollectorLease]
}

extension Store: LiveStore {
    /// Through a ``Recorder`` (``LiveRecorder/commit(through:then:)``): one SQLite transaction per batch.
    public func liveCommit(timeframes: [Timeframe], logger: Logger,
                           then committed: (@Sendable (CommittedBatch) -> Void)?) -> LiveRecorder.Commit {
        LiveRecorder.commit(through: Recorder(store: self, timeframes: timeframes, logger: logger), then: committed)
    }
}
