import GRDB
import Market

// Leases of live collectors on their symbols (table `collector_leases`): one collector per symbol per database.

extension Store {
    /// Takes (or renews) the lease on each of `symbols` for `holder` until `at + ttl`, all or none.
    ///
    /// A symbol whose lease another holder still has (not expired at `at`) is a conflict, unless `isAbandoned` says
    /// the holder is gone (a process of this host that no longer exists: a restart after `kill -9` need not wait for
    /// the expiry), or `share` is set: the lease then stays with the other holder, and this one records alongside it
    /// (bars stay right either way, see ``StoreTransaction/claimBarWrites(of:writer:)``).
    /// - Returns: the symbols now leased by `holder`.
    /// - Throws: ``LeaseConflict`` for the first symbol held by someone else (nothing is taken then);
    ///   ``StoreError/sqlite(operation:message:)``.
    @discardableResult
    public func acquireLeases(on symbols: [Symbol], for holder: LeaseHolder, at: Timestamp, ttl: TimeSpan,
                              share: Bool = false, isAbandoned: @Sendable (CollectorLease) -> Bool = { _ in false }) throws -> [Symbol] {
        let expires = at + ttl
        return try write { tx in
            var leased: [Symbol] = []
            for symbol in symbols {
                let current = try CollectorLease.fetchOne(tx.database, key: symbol.name)
                if let current, current.holder != holder.id, current.expiresAt > at, !isAbandoned(current) {
                    if share { continue }
                    throw LeaseConflict(lease: current, at: at)
                }
                var lease = current.flatMap { $0.holder == holder.id ? $0 : nil }
                    ?? CollectorLease(symbol: symbol, holder: holder, acquiredAt: at, expiresAt: expires)
                lease.renewedAt = at
                lease.expiresAt = expires
                try lease.save(tx.database)
                leased.append(symbol)
            }
            return leased
        }
    }

    /// Extends every lease `holder` still has until `at + ttl`.
    ///
    /// - Returns: the symbols still leased (one taken over by another holder after expiring is missing).
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func renewLeases(of holder: LeaseHolder, at: Timestamp, ttl: TimeSpan) throws -> [Symbol] {
        try write { tx in
            try CollectorLease.filter(Column("holder") == holder.id)
                .updateAll(tx.database, Column("renewed_at").set(to: at.milliseconds),
                           Column("expires_at").set(to: (at + ttl).milliseconds))
            return try CollectorLease.filter(Column("holder") == holder.id).order(Column("symbol")).fetchAll(tx.database).map(\.symbol)
        }
    }

    /// Gives up every lease of `holder` (a collector that stops cleanly).
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func releaseLeases(of holder: LeaseHolder) throws {
        _ = try write { tx in try CollectorLease.filter(Column("holder") == holder.id).deleteAll(tx.database) }
    }

    /// Every lease, by symbol (for `pairbook status` and tests).
    public func collectorLeases() throws -> [CollectorLease] {
        try read("reading collector leases") { db in try CollectorLease.order(Column("symbol")).fetchAll(db) }
    }
}
