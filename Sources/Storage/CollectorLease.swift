import Foundation
import GRDB
import Market

/// A live collector's claim on one symbol, row of `collector_leases`: while it is unexpired, no other collector records
/// the symbol (unless asked to record alongside). Renewed while the collector runs; released when it stops; a collector
/// that dies loses it at `expiresAt`, so another can take over.
public struct CollectorLease: Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "collector_leases"

    public var symbol: Symbol
    /// Who holds it: unique per collector run (``LeaseHolder/id``).
    public var holder: String
    /// The holder's host name and process id, for the message that refuses a second collector.
    public var host: String
    public var pid: Int64
    public var acquiredAt: Timestamp
    public var renewedAt: Timestamp
    public var expiresAt: Timestamp

    public init(row: Row) throws {
        symbol = try Symbol(parsing: row["symbol"])
        holder = row["holder"]
        host = row["host"]
        pid = row["pid"]
        acquiredAt = Timestamp(milliseconds: row["acquired_at"])
        renewedAt = Timestamp(milliseconds: row["renewed_at"])
        expiresAt = Timestamp(milliseconds: row["expires_at"])
    }

    public func encode(to container: inout PersistenceContainer) {
        container["symbol"] = symbol.name
        container["holder"] = holder
        container["host"] = host
        container["pid"] = pid
        container["acquired_at"] = acquiredAt.milliseconds
        container["renewed_at"] = renewedAt.milliseconds
        container["expires_at"] = expiresAt.milliseconds
    }

    public init(symbol: Symbol, holder: LeaseHolder, acquiredAt: Timestamp, expiresAt: Timestamp) {
        self.symbol = symbol
        self.holder = holder.id
        self.host = holder.host
        self.pid = holder.pid
        self.acquiredAt = acquiredAt
        self.renewedAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// One collector run, as leases name it.
public struct LeaseHolder: Sendable, Hashable {
    /// Unique per run (host, pid and a random part: a restarted process is a new holder).
    public var id: String
    public var host: String
    public var pid: Int64

    public init(id: String, host: String, pid: Int64) {
        self.id = id
        self.host = host
        self.pid = pid
    }

    /// Whether `host`/`pid` names another process of this holder's host that no longer exists (killed, crashed): what
    /// it held can be taken at once instead of after its expiry.
    public func seesGone(host: String, pid: Int64) -> Bool {
        host == self.host && pid != self.pid && kill(pid_t(truncatingIfNeeded: pid), 0) != 0 && errno == ESRCH
    }
}

/// Why a collector may not record a symbol.
public struct LeaseConflict: Error, Sendable, Hashable, CustomStringConvertible {
    /// The lease that another collector holds.
    public var lease: CollectorLease
    /// When the conflict was found.
    public var at: Timestamp

    public init(lease: CollectorLease, at: Timestamp) {
        self.lease = lease
        self.at = at
    }

    public var description: String {
        let renewed = max(0, (at.milliseconds - lease.renewedAt.milliseconds) / 1000)
        let expires = max(0, (lease.expiresAt.milliseconds - at.milliseconds + 999) / 1000)
        return "\(lease.symbol) is being collected by another pairbook (pid \(lease.pid) on \(lease.host), lease renewed \(renewed) s ago, "
            + "expires in \(expires) s unless renewed); stop that collector, or pass --share-symbols to record alongside it"
    }
}
