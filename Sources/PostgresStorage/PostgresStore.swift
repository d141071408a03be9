import Foundation
import Logging
import Market
import NIOCore
import PostgresNIO

/// The pairbook store on PostgreSQL: the same tables as the SQLite store (`symbols`, `tick_rows` and its `tick_data`
/// view, `resampled_data`, `collector_leases`, …), for several collectors, report workers and dashboards on one
/// database.
///
/// One connection, used by one task at a time (an actor): a collector's writes are sequential anyway, and a second
/// writer is a second store. Trades go in through `COPY` into a per-connection staging table and `INSERT … ON CONFLICT
/// DO NOTHING` (a trade is its symbol and trade id); bars are recomputed inside the same transaction from what is
/// stored — the finest timeframe from the trades, coarser ones from the finest bars — under a per-symbol advisory
/// lock, so any number of writers leave exactly the bars of one. Prices, quantities and volumes are `numeric`: sums
/// are exact decimals.
///
/// ```swift
/// let store = try await PostgresStore.connect(try PostgresURL("postgres://pairbook@db:5432/pairbook"), logger: logger)
/// let result = try await store.record(ticks, timeframes: Timeframe.defaults)
/// let bars = try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: range)
/// ```
public actor PostgresStore {
    public let url: PostgresURL
    let connection: PostgresConnection
    let logger: Logger

    private init(url: PostgresURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    /// Connects and brings the schema up to date (several processes may do so at once).
    ///
    /// - Throws: ``PostgresStoreError/cannotConnect(_:reason:)``; ``PostgresStoreError/query(operation:message:)``.
    public static func connect(_ url: PostgresURL, logger: Logger) async throws -> PostgresStore {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try url.configuration(), id: 1, logger: logger)
        } catch {
            throw PostgresStoreError.cannotConnect(url.description, reason: Self.message(of: error))
        }
        let store = PostgresStore(url: url, connection: connection, logger: logger)
        do {
            try await store.migrate()
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }

    /// Closes the connection.
    public func close() async {
        try? await connection.close()
    }

    /// Runs `body` in one transaction; a failure rolls it back and is described in one line.
    func transaction<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresStoreError {
            throw error
        } catch let error as PostgresTransactionError {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error.closureError ?? error.beginError
                ?? error.commitError ?? error.rollbackError ?? error))
        } catch {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error))
        }
    }

    /// One statement outside a transaction.
    @discardableResult
    func run(_ operation: String, _ query: PostgresQuery) async throws -> PostgresRowSequence {
        do {
            return try await connection.query(query, logger: logger)
        } catch {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error))
        }
    }

    /// The server's own message where there is one (postgres-nio's `PSQLError` hides it from `description`).
    static func message(of error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.detail].map { " (\($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
