import Foundation
import GRDB
import Logging
import Market

/// The pairbook database: ticks, bars, analytics, alerts, gaps and report runs in one SQLite file.
///
/// A plain `Sendable` value over a GRDB writer that migrates on init. Files use a WAL
/// `DatabasePool` (readers never block the writer); tests use ``inMemory()``.
///
/// ```swift
/// let store = try Store(path: "pairbook.sqlite", logger: logger)
/// try store.write { tx in _ = try tx.insert(tick) }
/// let bars = try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: range)
/// ```
///
/// Timestamps are INTEGER milliseconds since the Unix epoch, UTC. Writes are `BEGIN IMMEDIATE`
/// transactions; every connection has a busy timeout, so a collector and a report run can share a file.
public struct Store: Sendable {
    let writer: any DatabaseWriter
    /// A read-only connection of its own for ``changeCounter()`` (`nil` in memory).
    let probe: DatabaseQueue?
    /// The database file, or `nil` for an in-memory store.
    public let path: String?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError/cannotOpen(path:reason:)`` when the file can't be opened or isn't a database;
    ///   ``StoreError/newerSchema(path:)`` when it was written by a newer pairbook.
    public init(path: String, logger: Logger) throws {
        if path.contains("://") {
            throw StoreError.cannotOpen(path: path, reason: "a URL, not a file: this command opens SQLite files only "
                + "(PostgreSQL is not wired to the commands yet)")
        }
        let pool: DatabasePool
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            if !FileManager.default.fileExists(atPath: directory.path) {
                throw StoreError.cannotOpen(path: path, reason: "folder \(directory.path) does not exist")
            }
            pool = try DatabasePool(path: path, configuration: Self.configuration())
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.message(of: error))
        }
        do {
            var readOnly = Self.configuration()
            readOnly.readonly = true
            probe = try DatabaseQueue(path: path, configuration: readOnly)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.message(of: error))
        }
        self.writer = pool
        self.path = path
        try migrate(logger: logger)
    }

    /// A fresh, migrated database in memory (for tests); its migration logs to `logger` (default: nowhere).
    public static func inMemory(logger: Logger = Logger(label: "pairbook.store", factory: { _ in SwiftLogNoOpLogHandler() })) throws -> Store {
        try Store(writer: DatabaseQueue(configuration: configuration()), logger: logger)
    }

    init(writer: any DatabaseWriter, logger: Logger) throws {
        self.writer = writer
        self.probe = nil
        self.path = nil
        try migrate(logger: logger)
    }

    private func migrate(logger: Logger) throws {
        let migrator = Self.migrator
        do {
            if try writer.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError.newerSchema(path: path ?? ":memory:")
            }
            let applied = try writer.read { try migrator.appliedIdentifiers($0) }
            // Development builds before the first release wrote trades to a `tick_data` table; v1 stores them in
            // `tick_rows` (+ `symbols`). Say so rather than fail later with "no such table".
            if applied.contains("v1-schema"), try !writer.read({ try $0.tableExists("symbols") }) {
                throw StoreError.cannotOpen(
                    path: path ?? ":memory:",
                    reason: "made by a development build of pairbook with an older table layout; move it aside and re-import (or re-run `pairbook demo`)")
            }
            try migrator.migrate(writer)
            let now = try writer.read { try migrator.appliedIdentifiers($0) }
            let added = now.subtracting(applied)
            if !added.isEmpty {
                logger.info("Migrated database", metadata: ["store.path": "\(path ?? ":memory:")", "store.migrations": "\(added.sorted())"])
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path ?? ":memory:", reason: Self.message(of: error))
        }
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // WAL + NORMAL: a crash may lose the last transactions but never corrupts the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The writer: a 32 MiB page cache (default 2 MiB), so the tick indexes of a day stay in memory while
            // importing or collecting. Readers (a report scans its range once) get 8 MiB: the pool may open several,
            // and the SQLite heap of a long-running `pairbook run` stays below 32 + 5 × 8 MiB whatever the load.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -32768")
            // Checkpoint after 10,000 WAL pages (40 MiB) instead of 1,000: a bulk import then checkpoints (and
            // fsyncs) a tenth as often. The WAL file is cut back to 64 MiB after a checkpoint.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        return config
    }

    // MARK: - Transactions

    /// Runs `body` in one write transaction (all or nothing).
    ///
    /// - Throws: whatever `body` throws (the transaction is rolled back), or ``StoreError/sqlite(operation:message:)``.
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try mapErrors("writing") {
            try writer.write { db in try body(StoreTransaction(db)) }
        }
    }

    /// Runs `body` in one write transaction without blocking the caller's thread.
    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        try await mapErrors("writing") {
            try await writer.write { db in try body(StoreTransaction(db)) }
        }
    }

    /// Runs a read-only `body` on a consistent snapshot.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try mapErrors(operation) { try writer.read(body) }
    }

    /// Runs a read-only `body` without blocking the caller's thread.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await mapErrors(operation) { try await writer.read(body) }
    }

    func mapErrors<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError.sqlite(operation: operation, message: Self.message(of: error))
        }
    }

    func mapErrors<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw StoreError.sqlite(operation: operation, message: Self.message(of: error))
        }
    }

    static func message(of error: any Error) -> String {
        if let db = error as? DatabaseError {
            return db.message ?? "\(db.resultCode)"
        }
        return "\(error)"
    }
}
