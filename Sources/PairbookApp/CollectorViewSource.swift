import Collector
import Dashboard
import Market
import Synchronization

/// The dashboard's view of the collector in this process: connection state and each symbol's trade rate over the
/// last ten seconds or so, from the collector's counters.
public final class CollectorViewSource: Sendable {
    private struct Sample {
        var time: ContinuousClock.Instant
        var ticks: [Symbol: Int]
    }

    private let stats: CollectorStats
    private let symbols: [Symbol]
    private let samples = Mutex<[Sample]>([])

    public init(stats: CollectorStats, symbols: [Symbol]) {
        self.stats = stats
        self.symbols = symbols
    }

    public func view() -> CollectorView {
        let snapshot = stats.snapshot()
        let now = ContinuousClock.now
        let oldest = samples.withLock { samples -> Sample? in
            samples.append(Sample(time: now, ticks: snapshot.ticks))
            samples.removeAll { now - $0.time > .seconds(12) }
            return samples.first
        }
        let seconds = oldest.map { Double((now - $0.time).components.seconds) + Double((now - $0.time).components.attoseconds) / 1e18 } ?? 0
        var states: [Symbol: CollectorView.SymbolState] = [:]
        for symbol in symbols {
            let rate = seconds >= 1 ? Double((snapshot.ticks[symbol] ?? 0) - (oldest?.ticks[symbol] ?? 0)) / seconds : nil
            states[symbol] = .init(connected: snapshot.openConnections > 0, tradesPerSecond: rate)
        }
        return CollectorView(symbols: states)
    }
}
