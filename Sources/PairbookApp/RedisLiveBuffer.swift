import Collector
import Dashboard
import Logging
import Market
import RedisClient
import ServiceLifecycle
import Synchronization

/// The optional Redis live buffer (`--redis`): after each commit the collector hands it the batch's trades and bars,
/// and it writes them to Redis streams for dashboards on other machines — per symbol `pairbook:trades:<SYMBOL>`
/// (about ``tradesPerSymbol`` entries) and `pairbook:bars` (about ``barEntries``), see ``tradeCommand(_:cap:)`` and
/// ``barCommand(_:cap:)`` for the fields.
///
/// The collector is never slowed by Redis: ``submit(_:)`` only puts the batch into a bounded in-memory
/// ``LiveTradeBuffer`` (the last ``tradesPerSymbol`` trades per symbol; when the writer falls that far behind the
/// oldest unwritten trades are dropped and counted) and wakes the writer, which runs on its own task. When Redis is
/// missing or goes away it logs one warning (not one per batch), keeps buffering, and reconnects with backoff on the
/// injected clock; when a connection is made again it asks the server for each stream's newest trade and writes
/// everything held after it — all of the buffer when the server came back empty. Nothing of the store depends on it.
///
/// ```swift
/// let buffer = RedisLiveBuffer(configuration: try RedisConfiguration(url: "redis://127.0.0.1:6379"), logger: logger)
/// let commit = LiveRecorder.commit(through: recorder, then: { buffer.submit($0) })
/// // services: [buffer, recorder, stream…]: the buffer starts first and stops last, after the final commit
/// ```
public struct RedisLiveBuffer<C: Clock>: Service where C.Duration == Duration {
    /// The stream of one symbol's trades: `pairbook:trades:BTCUSDT`.
    public static func tradesKey(_ symbol: Symbol) -> String { "pairbook:trades:\(symbol.name)" }
    /// The stream of bar updates, all symbols and timeframes.
    public static var barsKey: String { "pairbook:bars" }

    /// Counters, for tests and status.
    public struct Snapshot: Sendable, Equatable {
        /// Whether the last write (or connection attempt) succeeded.
        public var connected: Bool
        public var writtenTrades: Int
        public var droppedTrades: Int
        public var unwrittenTrades: Int
    }

    /// Trades kept (and streamed) per symbol.
    public let tradesPerSymbol: Int
    /// Entries kept in the bars stream.
    public let barEntries: Int
    private let client: ReconnectingRedisClient<C>
    private let shared: Shared
    private let logger: Logger

    /// The state the collector's task and the writer share.
    private final class Shared: Sendable {
        let buffer: Mutex<LiveTradeBuffer>
        let connected = Atomic(false)
        let wake = FeedSignal()

        init(capacity: Int) { buffer = Mutex(LiveTradeBuffer(capacity: capacity)) }
    }

    /// - Parameters:
    ///   - tradesPerSymbol: trades kept in memory and in each trades stream (`MAXLEN ~`).
    ///   - barEntries: entries kept in the bars stream (`MAXLEN ~`).
    ///   - backoff: reconnect pacing, on `clock`.
    public init(configuration: RedisConfiguration, tradesPerSymbol: Int = 1_000, barEntries: Int = 10_000,
                backoff: RedisBackoff = RedisBackoff(), clock: C, logger: Logger) {
        precondition(tradesPerSymbol > 0 && barEntries > 0)
        self.tradesPerSymbol = tradesPerSymbol
        self.barEntries = barEntries
        self.client = ReconnectingRedisClient(configuration: configuration, backoff: backoff, clock: clock, logger: logger)
        self.shared = Shared(capacity: tradesPerSymbol)
        self.logger = logger
    }

    /// Takes one committed batch: O(batch + tradesPerSymbol) under a lock, never waits for Redis.
    public func submit(_ batch: CommittedBatch) {
        shared.buffer.withLock { $0.add(batch) }
        shared.wake.ring()
    }

    /// The counters now.
    public var snapshot: Snapshot {
        let connected = shared.connected.load(ordering: .relaxed)
        return shared.buffer.withLock { buffer in
            Snapshot(connected: connected, writtenTrades: buffer.writtenTrades, droppedTrades: buffer.droppedTrades,
                     unwrittenTrades: buffer.unwrittenTrades)
        }
    }

    /// Writes until graceful shutdown, then makes one last write of what is left (when connected) and disconnects.
    public func run() async throws {
        let last = await cancelWhenGracefulShutdown { await self.writeLoop() }
        if let last, last.isActive {
            do {
                while try await write(on: last) {}
            } catch {
                logger.notice("Redis: the last trades could not be written", metadata: ["error": "\(error)"])
            }
        }
        await client.close()
    }

    // MARK: - Writing

    /// Connects (with backoff), catches up after each new connection, writes what is pending, waits for more.
    /// - Returns: the last connection, when cancelled.
    private func writeLoop() async -> RedisConnection? {
        var last: RedisConnection?
        var away = false
        var refused = false
        var everConnected = false
        while !Task.isCancelled {
            var connection: RedisConnection?
            do {
                let current = try await client.connection()
                connection = current
                if current !== last {
                    try await catchUp(on: current)
                    last = current
                    shared.connected.store(true, ordering: .relaxed)
                    if away {
                        away = false
                        let (pending, dropped) = shared.buffer.withLock { ($0.unwrittenTrades, $0.droppedTrades) }
                        logger.notice("Redis is back; the buffered trades are written again", metadata: [
                            "redis.server": "\(client.configuration)", "redis.pending_trades": "\(pending)",
                            "redis.dropped_trades": "\(dropped)",
                        ])
                    }
                    everConnected = true
                }
                if try await write(on: current) {
                    refused = false
                } else {
                    await shared.wake.waitForRing()
                }
            } catch is CancellationError {
                break
            } catch let error as RedisError where !error.closesConnection {
                // The server refuses the commands (e.g. a key of another type): retrying cannot help, so the pending
                // trades count as written, and the next batch is tried (logged once until a write succeeds).
                if !refused {
                    refused = true
                    logger.warning("Redis refused the live buffer's writes", metadata: ["error": "\(error)"])
                }
                shared.buffer.withLock { buffer in buffer.markWritten(buffer.takePending()) }
                await shared.wake.waitForRing()
            } catch {
                if Task.isCancelled { break }  // shutting down: a cancelled write closed its connection
                shared.connected.store(false, ordering: .relaxed)
                if let connection { await client.lost(connection) }
                if !away {
                    away = true
                    logger.warning(everConnected
                        ? "Redis went away; keeping the last trades in memory and reconnecting"
                        : "Redis is not reachable; keeping the last trades in memory and retrying", metadata: [
                            "redis.server": "\(client.configuration)", "redis.buffer_per_symbol": "\(tradesPerSymbol)",
                            "error": "\(error)",
                        ])
                }
            }
        }
        return last
    }

    /// Writes what is pending in one pipeline. - Returns: whether there was anything.
    private func write(on connection: RedisConnection) async throws -> Bool {
        let pending = shared.buffer.withLock { $0.takePending() }
        guard !pending.isEmpty else { return false }
        var commands: [RedisCommand] = []
        commands.reserveCapacity(pending.tradeCount + pending.bars.count)
        for (_, ticks, _) in pending.trades { commands += ticks.map { Self.tradeCommand($0, cap: tradesPerSymbol) } }
        commands += pending.bars.map { Self.barCommand($0, cap: barEntries) }
        do {
            _ = try await connection.pipeline(commands)
        } catch {
            shared.buffer.withLock { $0.restore(pending) }
            throw error
        }
        shared.buffer.withLock { $0.markWritten(pending) }
        return true
    }

    /// Re-marks every symbol's trades against the newest entry of its stream on a new connection.
    private func catchUp(on connection: RedisConnection) async throws {
        let symbols = shared.buffer.withLock { $0.symbols }
        let replies = try await connection.pipeline(symbols.map { RedisCommand("XREVRANGE", Self.tradesKey($0), "+", "-", "COUNT", "1") })
        shared.buffer.withLock { buffer in
            for (symbol, reply) in zip(symbols, replies) { buffer.catchUp(symbol: symbol, lastWrittenID: Self.newestTradeID(in: reply)) }
        }
    }
}

extension RedisLiveBuffer where C == ContinuousClock {
    /// A buffer on the continuous clock.
    public init(configuration: RedisConfiguration, tradesPerSymbol: Int = 1_000, barEntries: Int = 10_000,
                backoff: RedisBackoff = RedisBackoff(), logger: Logger) {
        self.init(configuration: configuration, tradesPerSymbol: tradesPerSymbol, barEntries: barEntries, backoff: backoff,
                  clock: ContinuousClock(), logger: logger)
    }
}
