import Foundation
import Logging
import Market
import ServiceLifecycle

/// The live Binance USD-M futures trade stream as a service: connects, decodes, de-duplicates,
/// detects gaps and sends ``LiveEvent``s to a ``LiveEventQueue``.
///
/// Symbols are split over connections of at most ``BinanceStreamConfiguration/maximumStreamsPerConnection``
/// streams each. Every connection is supervised: reconnect with capped, jittered exponential backoff
/// (``ReconnectStateMachine``), a per-symbol watchdog (``WatchdogStateMachine``), and proactive rotation before
/// Binance's 24 h limit with an overlapping replacement (``RotationStateMachine``); trade-id continuity per
/// symbol (``GapDetector``) drops duplicates and reports holes. Pings are answered by the WebSocket client.
/// Each connection group's supervision is a ``ShardStateMachine`` on the injected clock (a ``StreamShard`` performs
/// its actions), so tests drive it with a manual clock.
///
/// On graceful shutdown (or cancellation) intake stops at once: connections close and `run()` returns. The
/// queue stays open for other producers; the ``LiveRecorder``, shut down after the streams (it comes first in
/// the `ServiceGroup`), finishes it, commits everything queued and returns.
///
/// ```swift
/// let queue = LiveEventQueue(), stats = CollectorStats()
/// let symbols: [Symbol] = ["BTCUSDT", "ETHUSDT"]
/// let stream = BinanceStream(configuration: .init(symbols: symbols), queue: queue, stats: stats, logger: logger,
///                            lastStoredTrades: try store.lastTicks(of: symbols))
/// let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger,
///                             commit: LiveRecorder.commit(through: Recorder(store: store, logger: logger)))
/// let group = ServiceGroup(services: [recorder, stream], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct BinanceStream<C: Clock>: Service where C.Duration == Duration {
    public let configuration: BinanceStreamConfiguration
    let queue: LiveEventQueue
    let stats: CollectorStats
    let logger: Logger
    /// Drives reconnects, watchdogs, rotation and connect timeouts (a `ManualClock` in tests).
    let clock: C
    let now: @Sendable () -> Timestamp
    let lastStoredTrades: [Symbol: Tick]

    /// - Parameters:
    ///   - queue: where ticks and gaps go (bounded: a full queue makes the socket readers wait).
    ///   - stats: shared counters (for the status line).
    ///   - clock: the clock of every supervision decision (backoff, watchdog, rotation, connect timeout).
    ///   - now: UTC time, stamped on gaps (`detectedAt`) and bounding plausible trade times.
    ///   - lastStoredTrades: the newest stored trade per symbol (`Store.lastTicks(of:)`), from the same kind of
    ///     stream. The gap detector starts from them, so the first trade after a restart is checked against the
    ///     last one stored: a hole across the downtime is recorded as a gap, and trades already stored are dropped.
    public init(configuration: BinanceStreamConfiguration, queue: LiveEventQueue, stats: CollectorStats,
                logger: Logger, clock: C, now: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                lastStoredTrades: [Symbol: Tick] = [:]) {
        self.configuration = configuration
        self.queue = queue
        self.stats = stats
        self.logger = logger
        self.clock = clock
        self.now = now
        self.lastStoredTrades = lastStoredTrades
    }

    public func run() async throws {
        let shards = configuration.shards
        logger.notice("collecting \(configuration.symbols.count) symbol(s) from \(configuration.kind.rawValue) streams", metadata: [
            "stream.endpoint": "\(configuration.url(for: []).replacingOccurrences(of: "/stream?streams=", with: ""))",
            "stream.connections": "\(shards.count)",
        ])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for (index, symbols) in shards.enumerated() {
                    let shard = StreamShard(index: index, symbols: symbols, stream: self)
                    group.addTask { await shard.run() }
                }
            }
        }
        logger.notice("stream intake stopped")
    }
}

extension BinanceStream where C == ContinuousClock {
    /// A stream supervised on the system's monotonic clock (see the designated initializer for the parameters).
    public init(configuration: BinanceStreamConfiguration, queue: LiveEventQueue, stats: CollectorStats,
                logger: Logger, now: @escaping @Sendable () -> Timestamp = { Timestamp.now() },
                lastStoredTrades: [Symbol: Tick] = [:]) {
        self.init(configuration: configuration, queue: queue, stats: stats, logger: logger, clock: ContinuousClock(),
                  now: now, lastStoredTrades: lastStoredTrades)
    }
}
