import AsyncAlgorithms
import Logging
import Market
import ServiceLifecycle

/// Emits a one-line collector status every ``interval`` (default 10 s): ticks/s per symbol,
/// receive-to-commit lag (p50/p99/max over the interval), reconnects, gaps, stalls, malformed frames, and — when
/// given the ``LiveEventQueue`` — how many events wait for the database (and how often the readers had to wait).
///
/// The line goes to `emit` (the CLI passes its `Console`); by default it is logged at notice level.
public struct CollectorStatusReporter: Service {
    let stats: CollectorStats
    let queue: LiveEventQueue?
    let interval: Duration
    let emit: @Sendable (String) -> Void

    public init(stats: CollectorStats, queue: LiveEventQueue? = nil, interval: Duration = .seconds(10), logger: Logger,
                emit: (@Sendable (String) -> Void)? = nil) {
        self.stats = stats
        self.queue = queue
        self.interval = interval
        self.emit = emit ?? { line in logger.notice("\(line)") }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var previous = stats.snapshot()
            var previousTime = ContinuousClock.now
            for await _ in AsyncTimerSequence.repeating(every: interval) {
                let now = ContinuousClock.now
                let current = stats.snapshot()
                let lag = stats.takeLag()
                emit(Self.line(previous: previous, current: current, lag: lag, elapsed: previousTime.duration(to: now),
                               queue: queue?.statistics))
                previous = current
                previousTime = now
            }
        }
    }

    /// The status line for the change between two snapshots over `elapsed`.
    public static func line(previous: CollectorStats.Snapshot, current: CollectorStats.Snapshot,
                            lag: LatencyHistogram, elapsed: Duration, queue: LiveEventQueue.Statistics? = nil) -> String {
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rates = current.ticks.keys.sorted().map { symbol in
            let delta = current.ticks[symbol, default: 0] - previous.ticks[symbol, default: 0]
            return "\(symbol) \(format(Double(delta) / seconds))/s"
        }
        var parts = [rates.isEmpty ? "no trades yet" : rates.joined(separator: " ")]
        if let p50 = lag.quantile(0.5), let p99 = lag.quantile(0.99) {
            parts.append("lag p50 \(milliseconds(p50)) p99 \(milliseconds(p99)) max \(milliseconds(lag.max))")
        } else {
            parts.append("lag -")
        }
        parts.append("committed \(current.committedTicks)")
        if let queue {
            parts.append("queued \(queue.depth) (max \(queue.highWaterMark))" + (queue.waitsForSpace > 0 ? " reader waits \(queue.waitsForSpace)" : ""))
        }
        parts.append("connections \(current.openConnections)")
        parts.append("reconnects \(current.reconnects)")
        parts.append("gaps \(current.gaps)")
        parts.append("stalls \(current.stalls)")
        parts.append("malformed \(current.malformed)")
        if current.commitFailures > 0 { parts.append("commit failures \(current.commitFailures)") }
        return "collect: " + parts.joined(separator: " | ")
    }

    private static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
    }

    private static func milliseconds(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return ms < 10 ? "\(format(ms)) ms" : "\(Int(ms.rounded())) ms"
    }
}
