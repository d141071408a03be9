import Foundation
import Logging
import Market
import NIOCore
import PostgresNIO

/// The pairbook store on PostgreSQL: the same tables as the SQLite store (`symbols`, `tick_rows` and its `tick_data`
/// view, `resampled_data`, `collector_leases`, …), for several collectors, report workers and dashboards on one
/// database.
///
/// One connection for the schema and reads, used by one task at a time (an actor), and writer connections opened as
/// ``record(_:timeframes:gaps:filledGaps:keepingBars:)`` needs them: the symbols of a batch are written concurrently, each in its own transaction
/// on its own connection (up to ``maximumWriters`` at once). Trades go in through `COPY` (a trade is its symbol and
/// trade id; already stored ones are skipped); bars are recomputed inside the same transaction from what is stored —
/// the finest timeframe from the trades, coarser ones from finer bars — under a per-symbol advisory lock, so any
/// number of writers leave exactly the bars of one. Prices, quantities and volumes are `numeric`: sums are exact
/// decimals.
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
    /// Writer connections not in use by a ``record(_:timeframes:gaps:filledGaps:keepingBars:)`` call.
    var idleWriters: [PostgresConnection] = []
    /// The id of the next connection opened (postgres-nio's, for its logs).
    var nextConnectionID = 2
    /// The days whose trade partition this store has made sure of (``ensurePartitions(for:)``).
    var partitionDays: Set<Int64> = []

    /// Symbols of one batch written at once, each on its own connection (the machine's cores are the limit that
    /// matters: PostgreSQL spends one backend per connection).
    static let maximumWriters = 4

    private init(url: PostgresURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    /// Connects and brings the schema up to date (several processes may do so at once).
    ///
    /// - Throws: ``PostgresStoreError/cannotConnect(_:reason:)``; ``PostgresStoreError/query(operation:message:)``.
    public static func connect(_ url: PostgresURL, logger: Logger) async throws -> PostgresStore {
        let connection = try await open(url, id: 1, logger: logger)
        let store = PostgresStore(url: url, connection: connection, logger: logger)
        do {
            try await store.migrate()
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }

    /// Connects, checks that the schema is one this build knows, runs `body` with the store, and closes it.
    ///
    /// ```swift
    /// let trades = try await PostgresStore.withStore(try PostgresURL(text), logger: logger) { try await $0.tickCount() }
    /// ```
    /// - Throws: ``PostgresStoreError/cannotConnect(_:reason:)`` (unreachable server, refused login),
    ///   ``PostgresStoreError/newerSchema(_:migrations:)``, ``PostgresStoreError/query(operation:message:)``; what
    ///   `body` throws.
    public static func withStore<T: Sendable>(_ url: PostgresURL, logger: Logger,
                                              _ body: (PostgresStore) async throws -> T) async throws -> T {
        let store = try await connect(url, logger: logger)
        do {
            try await store.checkSchemaIsKnown()
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Closes the connections (call it once no ``record(_:timeframes:gaps:filledGaps:keepingBars:)`` call is running).
    public func close() async {
        try? await connection.close()
        for writer in idleWriters { try? await writer.close() }
        idleWriters = []
    }

    /// A writer connection for one task: an idle one, or a new one.
    ///
    /// - Throws: ``PostgresStoreError/cannotConnect(_:reason:)``.
    func checkOutWriter() async throws -> PostgresConnection {
        if let writer = idleWriters.popLast() { return writer }
        nextConnectionID += 1
        let writer = try await Self.open(url, id: nextConnectionID - 1, logger: logger)
        // Recomputing a batch's bars sorts its trades: in memory (the default 4 MB spills a 50,000-trade batch to disk).
        do {
            try await writer.query("SET work_mem = '64MB'", logger: logger)
        } catch {
            try? await writer.close()
            throw PostgresStoreError.query(operation: "setting up a connection", message: Self.message(of: error))
        }
        return writer
    }

    /// A new connection to `url`.
    ///
    /// - Throws: ``PostgresStoreError/cannotConnect(_:reason:)``.
    static func open(_ url: PostgresURL, id: Int, logger: Logger) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try url.configuration(), id: id, logger: logger)
        } catch {
            throw PostgresStoreError.cannotConnect(url.description, reason: message(of: error))
        }
    }

    /// Gives back a writer connection from ``checkOutWriter()`` (a closed one is dropped).
    func checkIn(_ writer: PostgresConnection) {
        if !writer.isClosed { idleWriters.append(writer) }
    }

    /// Runs `body` in one transaction on a writer connection of its own; a failure rolls it back and is described in
    /// one line. (Not on the shared ``connection``: the actor is reentrant at every `await`, and another call's
    /// statements would run inside this transaction.)
    func transaction<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let writer = try await checkOutWriter()
        defer { checkIn(writer) }
        return try await Self.transaction(operation, on: writer, logger, body)
    }

    /// Runs `body` in one transaction on `connection`; a failure rolls it back and is described in one line.
    static func transaction<T: Sendable>(_ operation: String, on connection: PostgresConnection, _ logger: Logger,
                                         isolation: isolated (any Actor)? = #isolation,
                                         _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await connection.withTransaction(logger: logger, isolation: isolation) { connection in try await body(connection) }
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
