import Collector
import Logging
import Market
import Monitoring
import NIOPosix
import ServiceLifecycle
import Storage
import Synchronization

/// Health for `/healthz`, kept up to date by a timer on an injected clock and answered from that cached state: a probe
/// costs a lock, never a database transaction, and a burst of probes cannot crowd the thread pool the dashboard and
/// the reports use.
///
/// Three checks (the database check alone in a process that does not collect, `stats` nil):
/// - `collector`: at least one stream connection is open.
/// - `database`: the recorder's commits succeed. While trades flow, that is seen from its counters (committed trades
///   go up, failed commits do not); after `databaseProbeInterval` without a commit, an empty write transaction is
///   tried (at most once per interval), on NIO's thread pool.
/// - `data`: new trades were committed within `maximumAge`.
public final class HealthMonitor<C: Clock>: Service, Sendable where C.Duration == Duration {
    private struct State {
        var report = HealthReport(checks: [.init(name: "collector", ok: false, detail: "starting")])
        /// Trades committed at the last look; nil before the first.
        var committed: Int?
        var commitFailures = 0
        var lastProgress: Timestamp?
        var database = HealthReport.Check(name: "database", ok: true, detail: "not checked yet")
        var lastProbe: Timestamp?
    }

    private let stats: CollectorStats?
    private let maximumAge: TimeSpan
    private let probe: @Sendable () async -> String?
    private let clock: C
    private let interval: Duration
    private let databaseProbeInterval: TimeSpan
    private let now: @Sendable () -> Timestamp
    private let state = Mutex(State())

    /// - Parameters:
    ///   - probe: tries a write and returns nil, or the reason it failed. ``databaseProbe(_:)`` for a store.
    ///   - now: the wall clock, for the ages shown and compared with `maximumAge`.
    ///   - clock: what the refresh timer sleeps on.
    public init(stats: CollectorStats?, maximumAge: TimeSpan, probe: @escaping @Sendable () async -> String?,
                clock: C, interval: Duration = .seconds(1), databaseProbeInterval: TimeSpan = .seconds(10),
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.stats = stats
        self.maximumAge = maximumAge
        self.probe = probe
        self.clock = clock
        self.interval = interval
        self.databaseProbeInterval = databaseProbeInterval
        self.now = now
    }

    /// The newest health report (what `/healthz` answers).
    public var report: HealthReport { state.withLock { $0.report } }

    /// Refreshes the report every `interval` until graceful shutdown.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await refresh()
            do {
                try await cancelWhenGracefulShutdown { try await self.clock.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }

    /// Looks at the collector's counters now (and probes the database if it has been idle) and updates ``report``.
    public func refresh() async {
        let snapshot = stats?.snapshot() ?? CollectorStats.Snapshot()
        let time = now()
        let needsProbe = state.withLock { state -> Bool in
            guard let committed = state.committed else {
                // The first look: the start is the last progress, and the database is probed once.
                state.committed = snapshot.committedTicks
                state.commitFailures = snapshot.commitFailures
                state.lastProgress = time
                return true
            }
            let failed = snapshot.commitFailures - state.commitFailures
            let progressed = snapshot.committedTicks != committed
            state.commitFailures = snapshot.commitFailures
            if progressed {
                state.committed = snapshot.committedTicks
                state.lastProgress = time
            }
            if failed > 0 {
                state.database = .init(name: "database", ok: false, detail: "\(failed) commit(s) failed since the last check")
                return false
            }
            if progressed {
                // A commit is as good as a probe.
                state.database = .init(name: "database", ok: true, detail: "writable (commits succeed)")
                state.lastProbe = time
                return false
            }
            return state.lastProbe.map { time - $0 >= databaseProbeInterval } ?? true
        }
        if needsProbe {
            let failure = await probe()
            state.withLock { state in
                state.lastProbe = time
                state.database = failure.map { .init(name: "database", ok: false, detail: $0) }
                    ?? .init(name: "database", ok: true, detail: "writable")
            }
        }
        state.withLock { state in
            guard stats != nil else {
                state.report = HealthReport(checks: [state.database])
                return
            }
            let age = time - (state.lastProgress ?? time)
            let connections = snapshot.openConnections
            state.report = HealthReport(checks: [
                .init(name: "collector", ok: connections > 0,
                      detail: connections > 0 ? "\(connections) connection(s) open" : "no open stream connection"),
                state.database,
                .init(name: "data", ok: age <= maximumAge,
                      detail: "\(snapshot.committedTicks) trades committed; last new trade \(age.milliseconds / 1000)s ago (limit \(maximumAge))"),
            ])
        }
    }
}

extension HealthMonitor {
    /// A probe that runs an empty write transaction on `store`, on NIO's thread pool (SQLite blocks).
    public static func databaseProbe(_ store: Store) -> @Sendable () async -> String? {
        {
            do {
                try await NIOThreadPool.singleton.runIfActive { try store.write { _ in } }
                return nil
            } catch {
                return "\(error)"
            }
        }
    }
}
