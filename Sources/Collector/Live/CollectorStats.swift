import Market
import Synchronization

/// Counters shared by the streams, the recorder and the status line. Thread-safe (one `Mutex`).
///
/// Per-tick paths only increment counters here; nothing logs per tick.
public final class CollectorStats: Sendable {
    /// A consistent copy of all counters.
    public struct Snapshot: Sendable, Equatable {
        /// Trades received per symbol (after de-duplication).
        public var ticks: [Symbol: Int] = [:]
        /// Trades committed to the database.
        public var committedTicks = 0
        /// Frames received, any kind.
        public var frames = 0
        /// Frames skipped because they are not trades, by kind.
        public var ignored: [BinanceMessage.IgnoredKind: Int] = [:]
        /// `trade` events with an order type other than MARKET.
        public var nonMarketTrades = 0
        /// Frames that could not be decoded.
        public var malformed = 0
        /// Trades dropped as already seen (rotation overlap).
        public var duplicates = 0
        /// Gaps detected.
        public var gaps = 0
        /// Connections opened after the first one of each shard (failures and rotations).
        public var reconnects = 0
        /// Proactive rotations completed.
        public var rotations = 0
        /// Watchdog failures (a symbol silent on an open connection).
        public var stalls = 0
        /// Open connections now.
        public var openConnections = 0
        /// Receive-to-commit latency of committed ticks.
        public var lag = LatencyHistogram()
        /// Database commits that failed (the batch is retried).
        public var commitFailures = 0

        public init() {}

        /// Total trades received over all symbols.
        public var totalTicks: Int { ticks.values.reduce(0, +) }
        /// Total ignored frames.
        public var totalIgnored: Int { ignored.values.reduce(0, +) }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// A copy of the counters now.
    public func snapshot() -> Snapshot { state.withLock { $0 } }

    /// Runs `body` on the counters under the lock (keep it short).
    public func update<T>(_ body: (inout Snapshot) -> T) -> T { state.withLock { body(&$0) } }

    /// Resets the latency histogram (the status line reports per interval) and returns the old one.
    public func takeLag() -> LatencyHistogram {
        state.withLock { snapshot in
            defer { snapshot.lag = LatencyHistogram() }
            return snapshot.lag
        }
    }
}

/// A fixed-memory latency histogram in microseconds with ≤ 1.6 % relative error (log-linear buckets).
///
/// Memory is constant whatever the number of samples (months of collecting), O(1) per sample.
public struct LatencyHistogram: Sendable, Equatable {
    private static let subBuckets = 64
    private static let exponents = 40
    private var counts = [UInt64](repeating: 0, count: subBuckets * exponents)
    /// Number of samples.
    public private(set) var count: UInt64 = 0
    /// Largest sample.
    public private(set) var max: Duration = .zero

    public init() {}

    /// Adds one sample (negative samples count as zero).
    public mutating func record(_ latency: Duration) {
        let us = Swift.max(0, Int64(latency.components.seconds) * 1_000_000 + latency.components.attoseconds / 1_000_000_000_000)
        counts[Self.index(us)] += 1
        count += 1
        if latency > max { max = latency }
    }

    /// Adds `n` samples of the same value.
    public mutating func record(_ latency: Duration, count n: Int) {
        guard n > 0 else { return }
        let us = Swift.max(0, Int64(latency.components.seconds) * 1_000_000 + latency.components.attoseconds / 1_000_000_000_000)
        counts[Self.index(us)] += UInt64(n)
        count += UInt64(n)
        if latency > max { max = latency }
    }

    /// Merges another histogram into this one.
    public mutating func merge(_ other: LatencyHistogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        count += other.count
        if other.max > max { max = other.max }
    }

    /// The value below which `fraction` (0…1) of the samples lie; `nil` without samples.
    public func quantile(_ fraction: Double) -> Duration? {
        guard count > 0 else { return nil }
        let rank = UInt64((Double(count) * Swift.min(Swift.max(fraction, 0), 1)).rounded(.up))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= Swift.max(rank, 1) { return Swift.min(.microseconds(Self.upperBound(i)), max) }
        }
        return max
    }

    private static func index(_ us: Int64) -> Int {
        if us < Int64(subBuckets) { return Int(us) }
        let exponent = (63 - us.leadingZeroBitCount) - 5        // ≥ 1 when us ≥ 64
        let sub = Int(us >> exponent) - subBuckets / 2           // 0..<32 … mapped to upper half
        return Swift.min(subBuckets * exponents - 1, subBuckets + (exponent - 1) * (subBuckets / 2) + sub)
    }

    private static func upperBound(_ index: Int) -> Int64 {
        if index < subBuckets { return Int64(index) }
        let exponent = (index - subBuckets) / (subBuckets / 2) + 1
        let sub = (index - subBuckets) % (subBuckets / 2) + subBuckets / 2
        return (Int64(sub + 1) << exponent) - 1
    }
}
