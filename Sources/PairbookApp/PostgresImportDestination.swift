import Collector
import DataMigration
import Logging
import Market
import PostgresStorage
import Storage

/// Imports into PostgreSQL (``Collector/CSVImporter``'s destination): each batch of trades is one
/// ``PostgresStorage/PostgresStore/record(_:timeframes:gaps:filledGaps:keepingBars:)`` call, each batch of klines one
/// ``PostgresStorage/PostgresStore/writeKlines(_:interval:of:timeframes:)``: `COPY`, trades already stored skipped, bars
/// recomputed from what is stored under the symbol's lock, so imports beside collectors and other imports keep bars
/// right, and importing again completes an interrupted import.
///
/// The calls block the importing thread until PostgreSQL answers: call them on a thread of their own (the import
/// command's, ``Market/onThreadOfItsOwn(_:_:)``), never on a Swift concurrency thread.
public final class PostgresImportDestination: ImportDestination {
    public let store: PostgresStore
    public let timeframes: [Timeframe]

    public init(store: PostgresStore, timeframes: [Timeframe] = Timeframe.defaults) {
        self.store = store
        self.timeframes = Array(Set(timeframes)).sorted()
    }

    public func record(_ ticks: [Tick]) throws -> RecordResult {
        let (store, timeframes) = (self.store, self.timeframes)
        let written = try blocking { try await store.record(ticks, timeframes: timeframes) }
        return RecordResult(inserted: written.inserted, duplicates: written.duplicates, barsWritten: written.barsWritten)
    }

    public func writeKlines(_ bars: [Bar], interval: Timeframe, of symbol: Symbol) throws -> Int {
        let (store, timeframes) = (self.store, self.timeframes)
        return try blocking { try await store.writeKlines(bars, interval: interval, of: symbol, timeframes: timeframes) }
    }
}

extension StoreLocation {
    /// Opens the store an import writes to (a missing SQLite file is created; a PostgreSQL database is migrated), runs
    /// `body` with the importer's destination keeping bars of `timeframes`, and closes the store. The destination's
    /// calls block: `body` makes them on a thread of its own (``Market/onThreadOfItsOwn(_:_:)``).
    /// - Throws: ``Storage/StoreError`` or ``PostgresStorage/PostgresStoreError`` when the store cannot be opened; what
    ///   `body` throws.
    public func withImportDestination<T: Sendable>(timeframes: [Timeframe], logger: Logger,
                                                   _ body: (any ImportDestination) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            return try await body(StoreImportDestination(store: try Store(path: path, logger: logger), timeframes: timeframes,
                                                         logger: logger))
        case .postgres(let url):
            return try await PostgresStore.withStore(url, logger: logger) { store in
                try await body(PostgresImportDestination(store: store, timeframes: timeframes))
            }
        }
    }
}
