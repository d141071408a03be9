import Collector
import Logging
import Market
import PairbookTestSupport
import ServiceLifecycle
import Storage
import Synchronization
import Testing

/// Runs stream + recorder against a ``FakeBinanceServer`` with an in-memory store, the stream on a ``ManualClock``.
///
/// The stream's clock moves only when a test calls ``advance(by:)``: reconnect backoff, watchdogs, rotation and
/// connect timeouts happen when the test says so, never because a loaded machine was slow. Everything else is
/// waited for as an event (committed ticks, server progress, log lines), with ``patience`` as the only deadline.
struct LiveCollectorHarness: Sendable {
    let store: Store
    let stats = CollectorStats()
    let logs = CapturedLogs()
    let clock = ManualClock()

    /// How long any one awaited event may take: generous, it only bounds a test that is already failing.
    static let patience: Duration = .seconds(300)  // the whole suite runs at once on 2 cores: its first minutes are CPU-bound

    /// - Parameter store: the database (a fresh in-memory one by default; pass one to simulate a restart).
    init(store: Store? = nil) throws { self.store = try store ?? Store.inMemory() }

    var logger: Logger {
        let logs = self.logs
        var logger = Logger(label: "pairbook.collect.test") { _ in CapturingLogHandler(logs: logs) }
        logger.logLevel = .info
        return logger
    }

    static let symbols: [Symbol] = ["BTCUSDT", "ETHUSDT"]

    /// Test timings: fast reconnects, a short watchdog, no rotation unless asked.
    static func configuration(endpoint: String, watchdog: Duration = .seconds(5),
                              rotation: RotationPolicy = RotationPolicy()) -> BinanceStreamConfiguration {
        BinanceStreamConfiguration(
            symbols: symbols, kind: .trade, endpoint: endpoint, watchdogTimeout: watchdog,
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .milliseconds(400), jitter: 0.2,
                                       healthyAfter: .seconds(2)),
            rotation: rotation)
    }

    /// Runs the collector until `stopWhen` holds (polled), then shuts it down gracefully.
    /// - Returns: how long the graceful shutdown took.
    @discardableResult
    func run(_ configuration: BinanceStreamConfiguration, timeout: Duration = LiveCollectorHarness.patience,
             lastStoredTrades: [Symbol: Tick] = [:],
             stopWhen: @escaping @Sendable (CollectorStats.Snapshot) -> Bool) async throws -> Duration {
        try await run(configuration, lastStoredTrades: lastStoredTrades) { stats in
            try await FakeBinanceServer.wait(timeout: timeout) { stopWhen(stats.snapshot()) }
        }
    }

    /// Runs the collector until `until` returns, then shuts it down gracefully.
    /// - Returns: how long the graceful shutdown took.
    @discardableResult
    func run(_ configuration: BinanceStreamConfiguration, lastStoredTrades: [Symbol: Tick] = [:],
             until: @escaping @Sendable (CollectorStats) async throws -> Void) async throws -> Duration {
        let queue = LiveEventQueue()
        let stream = BinanceStream(configuration: configuration, queue: queue, stats: stats, logger: logger, clock: clock,
                                   lastStoredTrades: lastStoredTrades)
        let recorder = LiveRecorder(queue: queue, stats: stats, logger: logger, flushInterval: .milliseconds(50),
                                    commit: LiveRecorder.commit(through: Recorder(store: store, logger: .quiet)))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [recorder, stream], logger: logger))
        let stats = self.stats
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await until(stats)
            let start = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return start.duration(to: .now)
        }
    }

    /// Moves the stream's clock forward by `duration` (at least one check interval) once its shard waits for its next
    /// check, then waits until the shard has handled the check at the new time.
    func advance(by duration: Duration) async throws {
        let clock = self.clock
        try await FakeBinanceServer.wait(timeout: Self.patience) { clock.sleeperCount == 1 }
        clock.advance(by: duration)
        try await FakeBinanceServer.wait(timeout: Self.patience) { clock.sleeperCount == 1 }
    }

    /// Waits until `count` log records of `level` contain `text`.
    func waitForLog(_ level: Logger.Level, _ text: String, count: Int = 1) async throws {
        let logs = self.logs
        try await FakeBinanceServer.wait(timeout: Self.patience) { logs.count(level: level, text) >= count }
    }

    /// Every stored tick of the test symbols, by trade id.
    func storedTicks() throws -> [Tick] {
        var ticks: [Tick] = []
        let all = TimeRange(start: Timestamp(milliseconds: 0), end: Timestamp(milliseconds: 4_102_444_800_000))
        for symbol in Self.symbols {
            try store.forEachTick(of: symbol, in: all) { ticks.append($0) }
        }
        return ticks.sorted { ($0.symbol, $0.tradeID) < ($1.symbol, $1.tradeID) }
    }

    /// Waits until the server has played its script and every trade it delivered is committed.
    static func untilDelivered(_ server: FakeBinanceServer) -> @Sendable (CollectorStats) async throws -> Void {
        { stats in
            try await server.waitUntilFinished(timeout: Self.patience)
            let expected = trades(in: server.deliveredFrames).count
            try await FakeBinanceServer.wait(timeout: Self.patience) { stats.snapshot().committedTicks >= expected }
        }
    }

    /// The trades in some frames, decoded independently.
    static func trades(in frames: [String]) -> [Tick] {
        var decoder = BinanceMessageDecoder()
        return frames.compactMap { frame in
            if case .trade(let tick)? = try? decoder.decode(frame) { tick } else { nil }
        }.sorted { ($0.symbol, $0.tradeID) < ($1.symbol, $1.tradeID) }
    }

    /// The holes in each symbol's id sequence (what the gap detector must record).
    static func holes(in ticks: [Tick]) -> [(Symbol, Int64, Int64)] {
        var result: [(Symbol, Int64, Int64)] = []
        for (a, b) in zip(ticks, ticks.dropFirst()) where a.symbol == b.symbol && b.tradeID != a.tradeID + 1 {
            result.append((a.symbol, a.tradeID, b.tradeID))
        }
        return result
    }
}

/// Log records kept in memory, for assertions on what was logged.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: String
    }

    private let records = Mutex<[Record]>([])

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    var all: [Record] { records.withLock { $0 } }

    func contains(level: Logger.Level, _ text: String) -> Bool { count(level: level, text) > 0 }

    /// How many records of `level` contain `text` in their message or metadata.
    func count(level: Logger.Level, _ text: String) -> Int {
        all.count(where: { $0.level == level && ($0.message.contains(text) || $0.metadata.contains(text)) })
    }
}

struct CapturingLogHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        logs.append(.init(level: event.level, message: "\(event.message)",
                          metadata: merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
    }
}

extension LiveCollectorHarness {
    /// Runs `services` in one ServiceGroup until `condition` holds (failing after `timeout`), waits `linger` more,
    /// then shuts them down gracefully and waits for them to finish.
    static func run(_ services: [any Service], logger: Logger, until condition: @Sendable () -> Bool,
                    timeout: Duration = LiveCollectorHarness.patience, linger: Duration = .zero) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await FakeBinanceServer.wait(timeout: timeout, condition)
            if linger > .zero { try await Task.sleep(for: linger) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
