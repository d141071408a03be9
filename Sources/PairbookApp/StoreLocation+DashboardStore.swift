import Dashboard
import DataMigration
import Foundation
import Logging
import NIOPosix
import PostgresStorage
import ReportEngine
import Storage

extension StoreLocation {
    /// Opens the store a report or the dashboard reads (an SQLite file must exist; a PostgreSQL database is migrated),
    /// runs `body` with it, and closes it.
    /// - Throws: ``Storage/StoreError/cannotOpen(path:reason:)`` for a missing SQLite file;
    ///   ``PostgresStorage/PostgresStoreError`` when PostgreSQL cannot be reached or its schema is newer; what `body` throws.
    public func withDashboardStore<T: Sendable>(logger: Logger, _ body: (any DashboardStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError.cannotOpen(path: path, reason: "no such database (run `pairbook demo` or `pairbook import` first)")
            }
            return try await body(try Store(path: path, logger: logger))
        case .postgres(let url):
            return try await PostgresStore.withStore(url, logger: logger) { try await body(BlockingPostgresStore($0)) }
        }
    }

    /// ``withDashboardStore(logger:_:)`` for a report (a dashboard store is a report store).
    public func withReportStore<T: Sendable>(logger: Logger, _ body: (any ReportStore) async throws -> T) async throws -> T {
        try await withDashboardStore(logger: logger) { try await body($0) }
    }
}

extension ReportJob {
    /// ``run(store:now:logger:progress:)`` on a thread of NIO's pool, so that a store that blocks on asynchronous calls
    /// (``BlockingPostgresStore``) never holds a Swift concurrency thread.
    public func runOffThread(store: any ReportStore, logger: Logger, progress: ProgressHandler? = nil) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive { try self.run(store: store, logger: logger, progress: progress) }
    }
}
