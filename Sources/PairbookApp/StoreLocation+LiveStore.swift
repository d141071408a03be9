import Collector
import DataMigration
import Logging
import PostgresStorage
import Storage

extension StoreLocation {
    /// Opens the store for a live collector (an SQLite file is created if missing; a PostgreSQL database is migrated),
    /// runs `body` with it, and closes it.
    ///
    /// ```swift
    /// try await StoreLocation(parsing: "postgres://pairbook@db:5432/pairbook").withLiveStore(logger: logger) { store in
    ///     let collector = try await LiveCollector(stream: configuration, timeframes: Timeframe.defaults, restEndpoint: nil,
    ///                                             apiKey: nil, store: store, statusInterval: .seconds(10),
    ///                                             statusLine: { _ in }, logger: logger)
    ///     try await ServiceGroup(services: collector.services, logger: logger).run()
    /// }
    /// ```
    /// - Throws: ``Storage/StoreError`` or ``PostgresStorage/PostgresStoreError`` when the store cannot be opened
    ///   (unreachable server, refused login, not a database, newer schema); what `body` throws.
    public func withLiveStore<T: Sendable>(logger: Logger, _ body: (any LiveStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            return try await body(try Store(path: path, logger: logger))
        case .postgres(let url):
            return try await PostgresStore.withStore(url, logger: logger) { try await body($0) }
        }
    }
}
