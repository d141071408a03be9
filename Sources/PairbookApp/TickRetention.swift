import Logging
import Market
import NIOPosix
import PostgresStorage
import ServiceLifecycle
import Storage

/// Removes trades older than `keep` (`--keep-ticks-for`, `keep_ticks_for:`) from the database every `interval`, bars
/// kept, so that a collector running for months holds the span's trades plus every bar.
///
/// On SQLite each pass deletes in batches of `batch` trades per symbol, one short transaction each on NIO's thread pool,
/// so the recorder's commits never wait long behind it. On PostgreSQL it drops the day partitions that lie wholly
/// before the cutoff (trades go by whole UTC days there). The first pass runs one `interval` after the start.
public struct TickRetention<C: Clock>: Service where C.Duration == Duration {
    /// Removes the trades before a cutoff; how many.
    let remove: @Sendable (Timestamp) async throws -> Int
    let keep: TimeSpan
    let clock: C
    let interval: Duration
    let now: @Sendable () -> Timestamp
    let logger: Logger

    /// Retention on the SQLite `store`, `batch` trades per transaction.
    public init(store: Store, keep: TimeSpan, clock: C, interval: Duration = .seconds(3600), batch: Int = 20_000,
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }, logger: Logger) {
        self.init(keep: keep, clock: clock, interval: interval, now: now, logger: logger) { cutoff in
            var removed = 0
            while !Task.isShuttingDownGracefully {
                let deleted = try await NIOThreadPool.singleton.runIfActive { try store.deleteTicks(before: cutoff, limit: batch) }
                removed += deleted
                if deleted == 0 { break }
            }
            return removed
        }
    }

    /// Retention on PostgreSQL: whole days of trades, by dropping their partitions.
    public init(postgres: PostgresStore, keep: TimeSpan, clock: C, interval: Duration = .seconds(3600),
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }, logger: Logger) {
        self.init(keep: keep, clock: clock, interval: interval, now: now, logger: logger) { cutoff in
            try await postgres.dropTickPartitions(before: cutoff)
        }
    }

    init(keep: TimeSpan, clock: C, interval: Duration, now: @escaping @Sendable () -> Timestamp, logger: Logger,
         remove: @escaping @Sendable (Timestamp) async throws -> Int) {
        self.remove = remove
        self.keep = keep
        self.clock = clock
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
            await prune()
        }
    }

    /// One pass: every trade older than `now - keep` is removed (a failure is logged; the next pass tries again).
    /// - Returns: trades removed.
    @discardableResult
    public func prune() async -> Int {
        let cutoff = now() - keep
        var removed = 0
        do {
            removed = try await remove(cutoff)
        } catch {
            logger.warning("could not remove old trades", metadata: ["error": "\(error)", "retention.cutoff": "\(cutoff.iso8601(.seconds))"])
        }
        if removed > 0 {
            logger.info("removed old trades (bars kept)", metadata: [
                "retention.removed": "\(removed)", "retention.cutoff": "\(cutoff.iso8601(.seconds))", "retention.keep": "\(keep)",
            ])
        }
        return removed
    }
}
