import AsyncAlgorithms
import Logging
import Market
import ServiceLifecycle
import Storage

/// Drains a ``LiveEventQueue`` in batches into the database: every `flushInterval` (default 20 ms, so
/// receive-to-commit lag stays in the tens of milliseconds; never more than 250 ms) or every
/// `maximumBatch` ticks, whichever comes first, through a synchronous commit (the `Recorder` and its
/// `Resampler`). An interval without events commits nothing.
///
/// No tick is lost between receipt and a clean stop: on graceful shutdown the recorder finishes the
/// queue (the streams, shut down before it, have stopped intake) and commits everything still queued
/// before returning. A failed commit keeps its batch and retries it with the next one. After each
/// commit the receive-to-commit lag of every tick goes into ``CollectorStats``.
///
/// ```swift
/// let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger,
///                             commit: LiveRecorder.commit(through: Recorder(store: store)))
/// ```
public struct LiveRecorder: Service {
    /// Writes one batch: the new ticks (in arrival order), the gaps detected since the last batch, and the
    /// gaps whose backfilled trades are among the ticks (to be marked filled at the given time).
    public typealias Commit = @Sendable (_ batch: CommitBatch) throws -> Void

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
    let commit: Commit

    /// - Parameters:
    ///   - flushInterval: the longest a received tick waits before its commit starts (at most 250 ms).
    ///   - maximumBatch: ticks per transaction at most (bursts commit early).
    ///   - commit: runs on the recorder's task; it may block (SQLite).
    public init(queue: LiveEventQueue, stats: CollectorStats, logger: Logger, flushInterval: Duration = .milliseconds(20),
                maximumBatch: Int = 5_000, commit: @escaping Commit) {
        precondition(flushInterval > .zero && flushInterval <= .milliseconds(250) && maximumBatch > 0)
        self.queue = queue
        self.stats = stats
        self.logger = logger
        self.flushInterval = flushInterval
        self.maximumBatch = maximumBatch
        self.commit = commit
    }

    public func run() async throws {
        var pending = Batch()
        await withGracefulShutdownHandler {
            for await chunk in queue.events.chunks(ofCount: maximumBatch, or: .repeating(every: flushInterval)) {
                pending.append(chunk)
                flush(&pending)
            }
        } onGracefulShutdown: {
            // The streams stop first (ServiceGroup shuts down in reverse order); what is queued is drained above.
            queue.finish()
        }
        if !pending.isEmpty {
            // One last attempt for a batch whose commit failed before; failing now is an error exit.
            try commitAndMeasure(pending)
        }
        logger.notice("recorder flushed and stopped", metadata: ["collect.committed": "\(stats.snapshot().committedTicks)"])
    }

    private func flush(_ pending: inout Batch) {
        guard !pending.isEmpty else { return }
        do {
            try commitAndMeasure(pending)
            pending = Batch()
        } catch {
            let failures = stats.update { s -> Int in
                s.commitFailures += 1
                return s.commitFailures
            }
            logger.error("commit failed; keeping the batch for the next flush", metadata: [
                "error": "\(error)", "collect.pending_ticks": "\(pending.ticks.count)", "collect.failures": "\(failures)",
            ])
        }
    }

    private func commitAndMeasure(_ batch: Batch) throws {
        try commit(CommitBatch(ticks: batch.ticks, gaps: batch.gaps, filledGaps: batch.filledGaps))
        let now = ContinuousClock.now
        stats.update { s in
            s.committedTicks += batch.ticks.count
            for received in batch.receivedAt { s.lag.record(received.duration(to: now)) }
        }
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
