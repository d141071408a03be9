import Market
import PostgresNIO
import Storage

// Leases of live collectors on their symbols (`collector_leases`), as on the SQLite store (`Store+Leases`): one
// collector per symbol per database, wherever the collectors run.

extension PostgresStore {
    /// Takes (or renews) the lease on each of `symbols` for `holder` until `at + ttl`, all or none, with the SQLite
    /// store's rules: another holder's unexpired lease is a conflict unless `isAbandoned` says its process is gone, or
    /// `share` is set (the lease then stays with the other holder).
    ///
    /// The leases' rows are locked (`SELECT … FOR UPDATE`) for the transaction, and a symbol leased by no one is
    /// inserted only if still absent, so two collectors racing for one symbol cannot both take it.
    /// - Returns: the symbols now leased by `holder`.
    /// - Throws: ``Storage/LeaseConflict`` for the first symbol held by someone else (nothing is taken then);
    ///   ``PostgresStoreError``.
    @discardableResult
    public func acquireLeases(on symbols: [Symbol], for holder: LeaseHolder, at: Timestamp, ttl: TimeSpan, share: Bool = false,
                              isAbandoned: @Sendable (CollectorLease) -> Bool = { _ in false }) async throws -> [Symbol] {
        let expires = (at + ttl).milliseconds
        do {
            return try await connection.withTransaction(logger: logger) { connection -> [Symbol] in
                var leased: [Symbol] = []
                for symbol in symbols {
                    let inserted = try await connection.query("""
                        INSERT INTO collector_leases (symbol, holder, host, pid, acquired_at, renewed_at, expires_at)
                        VALUES (\(symbol.name), \(holder.id), \(holder.host), \(holder.pid), \(at.milliseconds), \(at.milliseconds), \(expires))
                        ON CONFLICT (symbol) DO NOTHING RETURNING symbol
                        """, logger: logger).collect()
                    if !inserted.isEmpty {
                        leased.append(symbol)
                        continue
                    }
                    let rows = try await connection.query("""
                        SELECT holder, host, pid, acquired_at, renewed_at, expires_at FROM collector_leases
                        WHERE symbol = \(symbol.name) FOR UPDATE
                        """, logger: logger)
                    var current: CollectorLease?
                    for try await row in rows.decode((String, String, Int64, Int64, Int64, Int64).self) {
                        current = Self.lease(symbol, row)
                    }
                    guard let current else { throw LeaseRace(symbol: symbol) }
                    if current.holder != holder.id, current.expiresAt > at, !isAbandoned(current) {
                        if share { continue }
                        throw LeaseConflict(lease: current, at: at)
                    }
                    let acquired = current.holder == holder.id ? current.acquiredAt.milliseconds : at.milliseconds
                    try await connection.query("""
                        UPDATE collector_leases SET holder = \(holder.id), host = \(holder.host), pid = \(holder.pid),
                            acquired_at = \(acquired), renewed_at = \(at.milliseconds), expires_at = \(expires)
                        WHERE symbol = \(symbol.name)
                        """, logger: logger)
                    leased.append(symbol)
                }
                return leased
            }
        } catch let error as PostgresTransactionError {
            if let conflict = error.closureError as? LeaseConflict { throw conflict }
            throw PostgresStoreError.query(operation: "taking collector leases", message: Self.message(of: error.closureError ?? error.beginError
                ?? error.commitError ?? error.rollbackError ?? error))
        } catch {
            throw PostgresStoreError.query(operation: "taking collector leases", message: Self.message(of: error))
        }
    }

    /// Extends every lease `holder` still has until `at + ttl`.
    ///
    /// - Returns: the symbols still leased (one taken over by another holder after expiring is missing).
    public func renewLeases(of holder: LeaseHolder, at: Timestamp, ttl: TimeSpan) async throws -> [Symbol] {
        let rows = try await run("renewing collector leases", """
            UPDATE collector_leases SET renewed_at = \(at.milliseconds), expires_at = \((at + ttl).milliseconds)
            WHERE holder = \(holder.id) RETURNING symbol
            """)
        var symbols: [Symbol] = []
        do {
            for try await name in rows.decode(String.self) { symbols.append(try Symbol(parsing: name)) }
        } catch {
            throw PostgresStoreError.query(operation: "renewing collector leases", message: Self.message(of: error))
        }
        return symbols.sorted()
    }

    /// Gives up every lease of `holder` (a collector that stops cleanly).
    public func releaseLeases(of holder: LeaseHolder) async throws {
        try await run("releasing collector leases", "DELETE FROM collector_leases WHERE holder = \(holder.id)")
    }

    /// Every lease, by symbol.
    public func collectorLeases() async throws -> [CollectorLease] {
        let rows = try await run("reading collector leases", """
            SELECT symbol, holder, host, pid, acquired_at, renewed_at, expires_at FROM collector_leases ORDER BY symbol
            """)
        var leases: [CollectorLease] = []
        do {
            for try await (name, id, host, pid, acquired, renewed, expires) in rows.decode((String, String, String, Int64, Int64, Int64, Int64).self) {
                leases.append(Self.lease(try Symbol(parsing: name), (id, host, pid, acquired, renewed, expires)))
            }
        } catch {
            throw PostgresStoreError.query(operation: "reading collector leases", message: Self.message(of: error))
        }
        return leases
    }
}

extension PostgresStore {
    /// A lease from its row's holder, host, pid and acquired/renewed/expiry times (ms).
    fileprivate static func lease(_ symbol: Symbol, _ row: (String, String, Int64, Int64, Int64, Int64)) -> CollectorLease {
        let (id, host, pid, acquired, renewed, expires) = row
        var lease = CollectorLease(symbol: symbol, holder: LeaseHolder(id: id, host: host, pid: pid),
                                   acquiredAt: Timestamp(milliseconds: acquired), expiresAt: Timestamp(milliseconds: expires))
        lease.renewedAt = Timestamp(milliseconds: renewed)
        return lease
    }
}

/// A lease row that vanished between the insert that found it and the read that locks it (released meanwhile).
private struct LeaseRace: Error, CustomStringConvertible {
    var symbol: Symbol
    var description: String { "the lease of \(symbol) was released while being taken; try again" }
}
