import Foundation
import Logging
import Market
import Storage

/// Copies everything a pairbook database holds into another — SQLite to PostgreSQL, PostgreSQL to SQLite (or
/// between two of one kind) — resumably, in batches: trades, bars of every stored timeframe (as stored, not
/// recomputed: imported klines have no trades behind them), alert rules, report runs, alert events (an alert's state
/// is its newest event), analytics results and stream gaps. Collector leases are live state and stay behind.
///
/// - Trades go symbol by symbol in trade-id order, ``tradesPerBatch`` per transaction; bars series by series in time
///   order. Each batch is read (keyset pagination) while the previous one is written. A series continues after the
///   destination's newest key when the destination holds exactly the source's rows up to that key (what an
///   interrupted run leaves, since each batch is committed whole); otherwise it is copied from its start, trades
///   already stored being skipped and bars replaced. Either way it ends with the source's rows, no duplicates.
/// - The tables with row ids are copied by natural key (``StoredTable/naturalKey``): a source row is written unless
///   the destination holds a row with the same key (as many times as the source does). New rows get the destination's
///   ids, and `alert_events.report_run` is mapped to the destination's id of the same run.
///
/// ```swift
/// let migration = StoreMigration(from: sqliteStore, to: postgresStore)
/// let summary = try await migration.run { progress in print(progress) }
/// ```
public struct StoreMigration: Sendable {
    public let source: any MigratableStore
    public let destination: any MigratableStore
    let logger: Logger
    /// Trades per batch (one read, one destination transaction).
    public var tradesPerBatch = 50_000
    /// Bars per batch.
    public var barsPerBatch = 50_000
    /// Rows of the tables with row ids per batch.
    public var rowsPerBatch = 5_000
    /// Stop (unfinished, ``MigrationSummary/isComplete`` `false`) rather than write more than this many batches (a batch
    /// is one destination transaction); `nil` = no limit. For tests of resuming, and to copy in slices.
    public var batchLimit: Int?

    /// - Parameter logger: where a part that continues an earlier copy, or starts over, says so (info).
    public init(from source: any MigratableStore, to destination: any MigratableStore,
                logger: Logger = Logger(label: "pairbook.migrate", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.source = source
        self.destination = destination
        self.logger = logger
    }

    /// Opens `source` and `destination`, copies, closes them.
    ///
    /// - Throws: ``MigrationError/sameStore(_:)``; what ``StoreLocation/withStore(asSource:logger:_:)`` and ``run(progress:)`` throw.
    public static func run(from source: StoreLocation, to destination: StoreLocation, logger: Logger,
                           progress: (MigrationProgress) -> Void) async throws -> MigrationSummary {
        if source.isSameStore(as: destination) { throw MigrationError.sameStore(source.description) }
        return try await source.withStore(asSource: true, logger: logger) { from in
            try await destination.withStore(asSource: false, logger: logger) { to in
                try await StoreMigration(from: from, to: to, logger: logger).run(progress: progress)
            }
        }
    }

    /// Copies every part; `progress` hears about each after every batch and when it is finished.
    ///
    /// - Throws: ``MigrationError/failed(location:message:)`` naming the store and what failed; `CancellationError`
    ///   when the task is cancelled (between batches; committed batches stay, a later run continues after them).
    public func run(progress: (MigrationProgress) -> Void = { _ in }) async throws -> MigrationSummary {
        let started = ContinuousClock.now
        var budget = BatchBudget(remaining: batchLimit)
        var parts: [MigrationProgress] = []
        func summary(complete: Bool) -> MigrationSummary {
            MigrationSummary(source: source.location, destination: destination.location, parts: parts, isComplete: complete,
                             elapsed: Self.seconds(since: started))
        }
        for symbol in try await reading({ try await source.tradeSymbols() }) {
            parts.append(try await copyTrades(of: symbol, budget: &budget, progress: progress))
            if !parts[parts.count - 1].isFinished { return summary(complete: false) }
        }
        for (symbol, timeframe) in try await reading({ try await source.barSeriesKeys() }) {
            parts.append(try await copyBars(of: symbol, timeframe: timeframe, budget: &budget, progress: progress))
            if !parts[parts.count - 1].isFinished { return summary(complete: false) }
        }
        var rowIDs: [String: [Int64: Int64]] = [:]
        for table in StoredTable.all {
            let reference = table.reference.map { rowIDs[$0.table] ?? [:] }
            parts.append(try await copyRows(of: table, mappingReferences: reference, budget: &budget, progress: progress))
            if !parts[parts.count - 1].isFinished { return summary(complete: false) }
            if StoredTable.all.contains(where: { $0.reference?.table == table.name }) {
                rowIDs[table.name] = try await rowIDMap(of: table)
            }
        }
        return summary(complete: true)
    }

    // MARK: - Trades and bars

    private func copyTrades(of symbol: Symbol, budget: inout BatchBudget,
                            progress: (MigrationProgress) -> Void) async throws -> MigrationProgress {
        let source = self.source
        return try await copySeries(
            .trades(symbol), batchSize: tradesPerBatch, budget: &budget, progress: progress,
            count: { store, last in try await store.tradeCount(of: symbol, through: last) },
            newest: { store in try await store.newestTradeKey(of: symbol) },
            read: { after, limit in try await source.trades(of: symbol, after: after, limit: limit) },
            key: TickKey.init,
            write: { ticks in try await destination.insertTrades(ticks) })
    }

    private func copyBars(of symbol: Symbol, timeframe: Timeframe, budget: inout BatchBudget,
                          progress: (MigrationProgress) -> Void) async throws -> MigrationProgress {
        let source = self.source
        return try await copySeries(
            .bars(symbol, timeframe), batchSize: barsPerBatch, budget: &budget, progress: progress,
            count: { store, last in try await store.barCount(of: symbol, timeframe: timeframe, through: last.map(Timestamp.init(milliseconds:))) },
            newest: { store in try await store.newestBarOpen(of: symbol, timeframe: timeframe)?.milliseconds },
            read: { after, limit in
                try await source.bars(of: symbol, timeframe: timeframe, after: after.map(Timestamp.init(milliseconds:)), limit: limit)
            },
            key: \.openTime.milliseconds,
            write: { bars in
                try await destination.replaceBars(bars, of: symbol, timeframe: timeframe)
                return bars.count
            })
    }

    /// Copies one series in key order (a symbol's trades by time and trade id, a bar series by open time).
    ///
    /// - Parameters:
    ///   - count: the rows of the series in a store with a key up to the given one (all when `nil`).
    ///   - newest: the highest key of the series in a store.
    ///   - read: at most `limit` source rows after a key, in key order.
    ///   - write: stores a batch in the destination; returns the rows written.
    private func copySeries<Item: Sendable, Key: Sendable>(
        _ part: MigrationProgress.Part, batchSize: Int, budget: inout BatchBudget, progress: (MigrationProgress) -> Void,
        count: (any MigratableStore, Key?) async throws -> Int,
        newest: (any MigratableStore) async throws -> Key?,
        read: @escaping @Sendable (Key?, Int) async throws -> [Item],
        key: @escaping @Sendable (Item) -> Key,
        write: ([Item]) async throws -> Int
    ) async throws -> MigrationProgress {
        let started = ContinuousClock.now
        var state = MigrationProgress(part: part, total: try await reading { try await count(source, nil) })
        var after: Key?
        // Continue after the destination's newest key if everything up to it is there, as an interrupted run leaves it.
        if let last = try await writing({ try await newest(destination) }) {
            let copied = try await reading { try await count(source, last) }
            let held = try await writing { try await count(destination, last) }
            if held == copied {
                after = last
                state.done = copied
                state.resumed = copied
                logger.info("continuing an earlier copy", metadata: ["migration.part": "\(part)", "migration.after": "\(last)"])
            } else {
                logger.info("the destination holds part of this series, not the source's first rows: copying all of it, skipping what is there",
                            metadata: ["migration.part": "\(part)", "migration.held": "\(held)", "migration.source_rows": "\(copied)"])
            }
        }
        var next = try await reading { try await read(after, batchSize) }
        while let last = next.last {
            guard budget.spend() else { return state }
            try Task.checkCancellation()
            let batch = next
            async let following = reading { try await read(key(last), batchSize) }
            let written = try await writing { try await write(batch) }
            next = try await following
            state.add(rows: batch.count, copied: written, elapsed: Self.seconds(since: started))
            progress(state)
        }
        return Self.finish(state, since: started, progress: progress)
    }

    /// `state` finished, reported.
    static func finish(_ state: MigrationProgress, since started: ContinuousClock.Instant,
                       progress: (MigrationProgress) -> Void) -> MigrationProgress {
        let finished = state.finished(elapsed: seconds(since: started))
        progress(finished)
        return finished
    }

    // MARK: - Errors and time

    /// Runs a read of the source; its failure names the source.
    func reading<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.attributing(to: source, body)
    }

    /// Runs a read or write of the destination; its failure names the destination.
    func writing<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.attributing(to: destination, body)
    }

    private static func attributing<T>(to store: any MigratableStore, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CancellationError {
            throw error
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError.failed(location: store.location, message: "\(error)")
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// How many more batches a run may write (``StoreMigration/batchLimit``).
struct BatchBudget {
    var remaining: Int?

    /// Takes one batch; `false` when none is left.
    mutating func spend() -> Bool {
        guard let left = remaining else { return true }
        guard left > 0 else { return false }
        remaining = left - 1
        return true
    }
}
