import Logging
import Market
import Metrics
import ServiceLifecycle
import Storage

/// Drains a ``LiveEventQueue`` in batches into the database: once the oldest queued event has waited
/// `flushInterval` (default 20 ms, so receive-to-commit lag stays in the tens of milliseconds; never more
/// than 250 ms) or `maximumBatch` events are queued, whichever comes first, through the store's commit
/// (``LiveStore/liveCommit(timeframes:logger:then:)``: on SQLite the `Recorder` and its `Resampler`). An interval without events commits nothing.
///
/// No tick is lost between receipt and a clean stop: on graceful shutdown the recorder finishes the
/// queue (the streams, shut down before it, have stopped intake) and commits everything still queued
/// before returning. A failed commit keeps its batch and retries it (after `retryDelay`) before taking
/// more events, so memory stays bounded: the queue fills and back-pressure stops the socket readers.
/// After each commit the receive-to-commit lag of every tick goes into ``CollectorStats`` (fixed-size histogram,
/// for the status line) and into the swift-metrics timer `pairbook_receive_to_commit_seconds`
/// (``CollectorMetricNames/receiveToCommit``; exported by `pairbook run` as a Prometheus histogram).
///
/// ```swift
/// let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger,
///                             commit: LiveRecorder.commit(through: Recorder(store: store, logger: logger)))
/// ```
public struct LiveRecorder: Service {
    /// Writes one batch: the new ticks (in arrival order), the gaps detected since the last batch, and the
    /// gaps whose backfilled trades are among the ticks (to be marked filled at the given time).
    public typealias Commit = @Sendable (_ batch: CommitBatch) async throws -> Void

    /// What one commit writes.
    public struct CommitBatch: Sendable {
        public var ticks: [Tick] = []
        public var gaps: [StreamGap] = []
        public var filledGaps: [(gap: StreamGap, at: Timestamp)] = []

        public init(ticks: [Tick] = [], gaps: [StreamGap] = [], filledGaps: [(gap: StreamGap, at: Timestamp)] = []) {
            self.ticks = ticks
            self.gaps = gaps
            self.filledGaps = filledGaps
        }
    }

    let queue: LiveEventQueue
    let stats: CollectorStats
    let logger: Logger
    let flushInterval: Duration
    let maximumBatch: Int
    let retryDelay: Duration
    let commit: Commit
    let receiveToCommit: Metrics.Timer

    /// - Parameters:
    ///   - flushInterval: the longest a received tick waits before its commit starts (at most 250 ms).
    ///   - maximumBatch: events per transaction at most (bursts commit early).
    ///   - retryDelay: the wait before a failed commit is retried.
    ///   - metricsFactory: where the receive-to-commit timer is created (default: the bootstrapped `MetricsSystem`).
    ///   - commit: runs on the recorder's task; it may block (SQLite) or suspend (PostgreSQL).
    public init(queue: LiveEventQueue, stats: CollectorStats, logger: Logger, flushInterval: Duration = .milliseconds(20),
                maximumBatch: Int = 5_000, retryDelay: Duration = .milliseconds(250),
                metricsFactory: (any MetricsFactory)? = nil, commit: @escaping Commit) {
        precondition(flushInterval > .zero && flushInterval <= .milliseconds(250) && maximumBatch > 0 && retryDelay >= .zero)
        self.queue = queue
        self.stats = stats
        self.logger = logger
        self.flushInterval = flushInterval
        self.maximumBatch = maximumBatch
        self.retryDelay = retryDelay
        self.commit = commit
        self.receiveToCommit = Metrics.Timer(label: CollectorMetricNames.receiveToCommit, factory: metricsFactory ?? MetricsSystem.factory)
    }

    public func run() async throws {
        var pending = Batch()
        await withGracefulShutdownHandler {
            while let events = await queue.nextBatch(maximum: maximumBatch, delay: flushInterval) {
                pending.append(events)
                // A failing database holds the batch here (bounded) and the queue fills up behind it.
                while !(await flush(&pending)), !Task.isCancelled, !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: retryDelay)
                }
            }
        } onGracefulShutdown: {
            // The streams stop first (ServiceGroup shuts down in reverse order); what is queued is drained above.
            queue.finish()
        }
        if !pending.isEmpty {
            // One last attempt for a batch whose commit failed before; failing now is an error exit.
            try await commitAndMeasure(pending)
        }
        logger.notice("recorder flushed and stopped", metadata: ["collect.committed": "\(stats.snapshot().committedTicks)"])
    }

    /// Commits `pending` and empties it; on failure keeps it, counts and logs. - Returns: whether it committed.
    private func flush(_ pending: inout Batch) async -> Bool {
        guard !pending.isEmpty else { return true }
        do {
            try await commitAndMeasure(pending)
            pending = Batch()
            return true
        } catch {
            let failures = stats.update { s -> Int in
                s.commitFailures += 1
                return s.commitFailures
            }
            logger.error("commit failed; retrying the batch", metadata: [
                "error": "\(error)", "collect.pending_ticks": "\(pending.ticks.count)", "collect.failures": "\(failures)",
            ])
            return false
        }
    }

    private func commitAndMeasure(_ batch: Batch) async throws {
        try await commit(CommitBatch(ticks: batch.ticks, gaps: batch.gaps, filledGaps: batch.filledGaps))
        let now = ContinuousClock.now
        stats.update { s in
            s.committedTicks += batch.ticks.count
            for received in batch.receivedAt { s.lag.record(received.duration(to: now)) }
        }
        for received in batch.receivedAt { receiveToCommit.record(duration: received.duration(to: now)) }
    }

    /// Ticks and gaps accumulated for one transaction.
    struct Batch {
        var ticks: [Tick] = []
        var receivedAt: [ContinuousClock.Instant] = []
        var gaps: [StreamGap] = []
        var filledGaps: [(gap: StreamGap, at: Timestamp)] = []

        var isEmpty: Bool { ticks.isEmpty && gaps.isEmpty && filledGaps.isEmpty }

        mutating func append(_ events: [LiveEvent]) {
            ticks.reserveCapacity(ticks.count + events.count)
            for event in events {
                switch event {
                case .tick(let tick, let receivedAt):
                    ticks.append(tick)
                    self.receivedAt.append(receivedAt)
                case .gap(let gap):
                    gaps.append(gap)
                case .gapFilled(let gap, let at):
                    filledGaps.append((gap, at))
                }
            }
        }
    }
}
