import Collector
import Market
import Metrics
import Monitoring
import ServiceLifecycle
import Storage

/// Mirrors the collector's counters into swift-metrics every `interval` of `clock` (the collector counts in ``CollectorStats``),
/// with the heap memory SQLite holds. The configured symbols' tick counters exist from the start, at 0.
public struct CollectorMetrics<C: Clock>: Service where C.Duration == Duration {
    let stats: CollectorStats
    let symbols: [Symbol]
    let clock: C
    let interval: Duration

    public init(stats: CollectorStats, symbols: [Symbol], clock: C, interval: Duration = .seconds(1)) {
        self.stats = stats
        self.symbols = symbols
        self.clock = clock
        self.interval = interval
    }

    public func run() async throws {
        let frames = Metrics.Counter(label: MetricNames.frames)
        let reconnects = Metrics.Counter(label: MetricNames.reconnects)
        let gaps = Metrics.Counter(label: MetricNames.gaps)
        let sqliteMemory = Metrics.Gauge(label: MetricNames.sqliteMemory)
        var perSymbol = Dictionary(
            symbols.map { ($0, Metrics.Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, $0.name)])) },
            uniquingKeysWith: { first, _ in first })
        var previous = CollectorStats.Snapshot()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let current = stats.snapshot()
            frames.increment(by: Int64(max(0, current.frames - previous.frames)))
            reconnects.increment(by: Int64(max(0, current.reconnects - previous.reconnects)))
            gaps.increment(by: Int64(max(0, current.gaps - previous.gaps)))
            for (symbol, count) in current.ticks {
                let counter = perSymbol[symbol] ?? Metrics.Counter(label: MetricNames.ticksIngested, dimensions: [(MetricNames.Dimension.symbol, symbol.name)])
                perSymbol[symbol] = counter
                counter.increment(by: Int64(max(0, count - (previous.ticks[symbol] ?? 0))))
            }
            sqliteMemory.record(Store.sqliteMemoryUsed)
            previous = current
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
