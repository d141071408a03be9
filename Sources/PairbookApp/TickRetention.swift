import Logging
import Market
import NIOPosix
import ServiceLifecycle
import Storage

/// Removes trades older than `keep` (`--keep-ticks-for`, `keep_ticks_for:`) from the database every `interval`, bars
/// kept, so that a collector running for months holds the span's trades plus every bar.
///
/// Each pass deletes in batches of `batch` trades per symbol, one short transaction each on NIO's thread pool, so the
/// recorder's commits never wait long behind it. The first pass runs one `interval` after the start.
public struct TickRetention<C: Clock>: Service where C.Duration == Duration {
    let store: Store
    let keep: TimeSpan
    let clock: C
    let interval: Duration
    let batch: Int
    let now: @Sendable () -> Timestamp
    let logger: Logger

    public init(store: Store, keep: TimeSpan, clock: C, interval: Duration = .seconds(3600), batch: Int = 20_000,
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }, logger: Logger) {
        self.store = store
        self.keep = keep
        self.clock = clock
        self.interval = interval
        self.batch = batch
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
            while !Task.isShuttingDownGracefully {
                let (store, batch) = (self.store, self.batch)
                let deleted = try await NIOThreadPool.singleton.runIfActive { try store.deleteTicks(before: cutoff, limit: batch) }
                removed += deleted
                if deleted == 0 { break }
            }
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
