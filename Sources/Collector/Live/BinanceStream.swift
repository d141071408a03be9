import Foundation
import Logging
import Market
import NIOCore
import NIOPosix
import ServiceLifecycle
import Storage
import Synchronization
import WSClient

/// The live Binance USD-M futures trade stream as a service: connects, decodes, de-duplicates,
/// detects gaps and sends ``LiveEvent``s to a ``LiveEventQueue``.
///
/// Symbols are split over connections of at most ``BinanceStreamConfiguration/maximumStreamsPerConnection``
/// streams each. Every connection is supervised: reconnect with capped, jittered exponential backoff
/// (``ReconnectStateMachine``), a per-symbol watchdog (``WatchdogStateMachine``), and proactive rotation before
/// Binance's 24 h limit with an overlapping replacement (``RotationStateMachine``); trade-id continuity per
/// symbol (``GapDetector``) drops duplicates and reports holes. Pings are answered by the WebSocket client.
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
///                             commit: LiveRecorder.commit(through: Recorder(store: store)))
/// let group = ServiceGroup(services: [recorder, stream], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct BinanceStream: Service {
    public let configuration: BinanceStreamConfiguration
    let queue: LiveEventQueue
    let stats: CollectorStats
    let logger: Logger
    let wallClock: @Sendable () -> Timestamp
    let lastStoredTrades: [Symbol: Tick]

    /// - Parameters:
    ///   - queue: where ticks and gaps go (bounded: a full queue makes the socket readers wait).
    ///   - stats: shared counters (for the status line).
    ///   - wallClock: UTC time stamped on gaps (`detectedAt`).
    ///   - lastStoredTrades: the newest stored trade per symbol (`Store.lastTicks(of:)`), from the same kind of
    ///     stream. The gap detector starts from them, so the first trade after a restart is checked against the
    ///     last one stored: a hole across the downtime is recorded as a gap, and trades already stored are dropped.
    public init(configuration: BinanceStreamConfiguration, queue: LiveEventQueue, stats: CollectorStats,
                logger: Logger, wallClock: @escaping @Sendable () -> Timestamp = BinanceStream.systemTime,
                lastStoredTrades: [Symbol: Tick] = [:]) {
        self.configuration = configuration
        self.queue = queue
        self.stats = stats
        self.logger = logger
        self.wallClock = wallClock
        self.lastStoredTrades = lastStoredTrades
    }

    /// The system's wall-clock time, UTC ms.
    public static let systemTime: @Sendable () -> Timestamp = {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
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

// MARK: - Shard supervisor

/// One group of symbols on one connection (two while rotating), with its supervisor loop.
struct StreamShard: Sendable {
    let index: Int
    let symbols: [Symbol]
    let stream: BinanceStream
    let shared: SharedBox
    let logger: Logger

    /// State the connection readers and the supervisor both touch.
    struct SharedState: Sendable {
        var gaps = GapDetector()
        var watchdogs: [Int: WatchdogStateMachine<ContinuousClock>] = [:]
        /// Connections whose trades go straight through the gap detector.
        var live: Set<Int> = []
        /// Trades of a replacement connection, held until it takes over (see ``StreamShard/takeOver(_:from:force:)``).
        var held: [Int: [Trade]] = [:]
    }

    /// The shard's ``SharedState`` behind a lock (a class, so the shard value can be copied into tasks).
    final class SharedBox: Sendable {
        private let state = Mutex(SharedState())

        func withLock<T>(_ body: (inout SharedState) -> T) -> T { state.withLock { body(&$0) } }
    }

    /// A trade as the sequencer sees it; only market trades become ticks.
    struct Trade: Sendable {
        var symbol: Symbol
        var tradeID: Int64
        var time: Timestamp
        var tick: Tick?
        var receivedAt: ContinuousClock.Instant
    }

    /// Upper bound of trades held for a replacement (beyond it the replacement is not ready anyway).
    static let maximumHeldTrades = 1_000_000

    enum Event: Sendable {
        case opened(Int)
        case receiving(Int)
        case closed(Int, String?)
        case check
    }

    init(index: Int, symbols: [Symbol], stream: BinanceStream) {
        self.index = index
        self.symbols = symbols
        self.stream = stream
        self.shared = SharedBox()
        shared.withLock { state in
            for symbol in symbols {
                if let last = stream.lastStoredTrades[symbol] {
                    state.gaps.seed(symbol, lastTradeID: last.tradeID, at: last.timestamp)
                }
            }
        }
        var logger = stream.logger
        logger[metadataKey: "stream.shard"] = "\(index)"
        self.logger = logger
    }

    var configuration: BinanceStreamConfiguration { stream.configuration }

    func run() async {
        let clock = ContinuousClock()
        let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let url = configuration.url(for: symbols)
        await withDiscardingTaskGroup { group in
            group.addTask {
                // The supervisor's heartbeat; ends with the group's cancellation.
                while !Task.isCancelled {
                    try? await clock.sleep(for: configuration.checkInterval)
                    sink.yield(.check)
                }
            }
            var supervisor = Supervisor(clock: clock, configuration: configuration)
            var connections: [Int: ConnectionControl] = [:]
            var opened: Set<Int> = []
            var connecting: [Int: ContinuousClock.Instant] = [:]
            var nextID = 0
            var everConnected = false

            func open(asReplacement: Bool) -> Int {
                nextID += 1
                let id = nextID
                let control = ConnectionControl()
                connections[id] = control
                connecting[id] = clock.now
                shared.withLock { state in
                    if asReplacement { state.held[id] = [] } else { state.live.insert(id) }
                }
                if everConnected && !asReplacement { stream.stats.update { $0.reconnects += 1 } }
                group.addTask { await runConnection(id: id, url: url, control: control, events: sink) }
                return id
            }

            supervisor.primary = open(asReplacement: false)
            for await event in events {
                let now = clock.now
                switch event {
                case .opened(let id):
                    everConnected = true
                    connecting[id] = nil
                    opened.insert(id)
                    stream.stats.update { $0.openConnections += 1 }
                    shared.withLock {
                        $0.watchdogs[id] = WatchdogStateMachine(symbols: symbols, timeout: configuration.watchdogTimeout, startedAt: now)
                    }
                    if id == supervisor.primary {
                        supervisor.reconnect.connectionOpened(at: now)
                        supervisor.rotation.primaryOpened(at: now)
                        logger.notice("connected", metadata: ["stream.connection": "\(id)", "stream.url": "\(url)"])
                    } else {
                        logger.info("replacement connection open", metadata: ["stream.connection": "\(id)"])
                    }
                case .receiving(let id):
                    if id == supervisor.replacement { supervisor.rotation.replacementReceiving(at: now) }
                case .closed(let id, let reason):
                    connections[id] = nil
                    connecting[id] = nil
                    if opened.remove(id) != nil { stream.stats.update { $0.openConnections -= 1 } }
                    shared.withLock { state in
                        state.watchdogs[id] = nil
                        state.live.remove(id)
                        state.held[id] = nil
                    }
                    if id == supervisor.primary, let replacement = supervisor.replacement, opened.contains(replacement) {
                        // The old connection died during a rotation: the replacement takes over now.
                        _ = await takeOver(replacement, from: nil, force: true)
                        supervisor.primary = replacement
                        supervisor.replacement = nil
                        supervisor.switchPending = false
                        supervisor.rotation.primaryOpened(at: now)
                        supervisor.reconnect.connectionOpened(at: now)
                        logger.warning("connection closed during rotation; the replacement took over", metadata: [
                            "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
                        ])
                    } else if id == supervisor.primary {
                        supervisor.primary = nil
                        supervisor.rotation.primaryClosed()
                        if let replacement = supervisor.replacement {
                            connections[replacement]?.requestClose()
                            supervisor.replacement = nil
                            supervisor.switchPending = false
                        }
                        var random = SystemRandomNumberGenerator()
                        if case .reconnect(let at, let attempt) = supervisor.reconnect.connectionClosed(at: now, using: &random) {
                            supervisor.reconnectAt = at
                            logger.warning("connection closed; reconnecting", metadata: [
                                "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
                                "stream.retry_in": "\(now.duration(to: at))", "stream.attempt": "\(attempt)",
                            ])
                        }
                    } else if id == supervisor.replacement {
                        supervisor.replacement = nil
                        supervisor.switchPending = false
                        supervisor.rotation.replacementFailed(at: now)
                        logger.warning("replacement connection failed; keeping the current one", metadata: [
                            "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
                        ])
                    }
                case .check:
                    if supervisor.primary == nil, let at = supervisor.reconnectAt, now >= at {
                        supervisor.reconnectAt = nil
                        supervisor.reconnect.connecting()
                        supervisor.primary = open(asReplacement: false)
                    }
                    let stalled: [(Int, [Symbol], Duration)] = shared.withLock { state in
                        var result: [(Int, [Symbol], Duration)] = []
                        for id in state.watchdogs.keys {
                            if case .stalled(let symbols, let silence) = state.watchdogs[id]?.check(at: now) {
                                result.append((id, symbols, silence))
                            }
                        }
                        return result
                    }
                    for (id, since) in connecting where since.duration(to: now) >= configuration.connectTimeout {
                        connecting[id] = nil
                        logger.warning("connecting timed out; retrying", metadata: [
                            "stream.connection": "\(id)", "stream.timeout": "\(configuration.connectTimeout)",
                        ])
                        connections[id]?.requestClose()
                    }
                    for (id, silent, silence) in stalled {
                        stream.stats.update { $0.stalls += 1 }
                        logger.error("WATCHDOG: no frames on an open connection; reconnecting", metadata: [
                            "stream.connection": "\(id)", "symbols": "\(silent.map(\.name).joined(separator: ","))",
                            "stream.silent_for": "\(silence)",
                        ])
                        connections[id]?.requestClose()
                    }
                    switch supervisor.rotation.check(at: now) {
                    case .none:
                        break
                    case .openReplacement:
                        logger.notice("rotating connection before the 24 h limit", metadata: ["stream.connection": "\(supervisor.primary ?? 0)"])
                        supervisor.replacement = open(asReplacement: true)
                    case .abandonReplacement:
                        if let replacement = supervisor.replacement { connections[replacement]?.requestClose() }
                        supervisor.replacement = nil
                        logger.warning("replacement connection delivered nothing; keeping the current one")
                    case .closeOldPrimary:
                        supervisor.switchPending = true
                        supervisor.switchRequestedAt = now
                    }
                    if supervisor.switchPending, let new = supervisor.replacement {
                        // Force the switch if the old connection has not caught up after ten overlaps (it is lagging
                        // badly; a real hole is then recorded as a gap).
                        let force = (supervisor.switchRequestedAt ?? now).duration(to: now) >= configuration.rotation.overlap * 10
                        if await takeOver(new, from: supervisor.primary, force: force) {
                            if let old = supervisor.primary { connections[old]?.requestClose() }
                            supervisor.primary = new
                            supervisor.replacement = nil
                            supervisor.switchPending = false
                            supervisor.reconnect.connectionOpened(at: now)
                            stream.stats.update { $0.rotations += 1 }
                            logger.notice("rotation complete", metadata: ["stream.connection": "\(new)"])
                        }
                    }
                }
            }
            // Cancelled (shutdown): stop every connection and the heartbeat.
            for control in connections.values { control.requestClose() }
            group.cancelAll()
        }
    }

    /// The supervisor's own state (only the shard loop touches it).
    struct Supervisor {
        var reconnect: ReconnectStateMachine<ContinuousClock>
        var rotation: RotationStateMachine<ContinuousClock>
        var primary: Int?
        var replacement: Int?
        var reconnectAt: ContinuousClock.Instant?
        /// The rotation asked to switch to the replacement; it happens once the old connection has caught up.
        var switchPending = false
        var switchRequestedAt: ContinuousClock.Instant?

        init(clock: ContinuousClock, configuration: BinanceStreamConfiguration) {
            reconnect = ReconnectStateMachine(policy: configuration.reconnect)
            rotation = RotationStateMachine(policy: configuration.rotation)
        }
    }

    // MARK: - One connection

    func runConnection(id: Int, url: String, control: ConnectionControl, events: AsyncStream<Event>.Continuation) async {
        let wsConfiguration = {
            var configuration = WebSocketClientConfiguration(
                maxFrameSize: configuration.maximumFrameSize, closeTimeout: configuration.closeTimeout, autoPing: .disabled)
            configuration.ignoreUncleanSSLShutdownErrors = true
            return configuration
        }()
        let wsLogger = {
            var logger = logger
            logger[metadataKey: "stream.connection"] = "\(id)"
            return logger
        }()
        let tls = configuration.tls
        // The connection's own event loop (one thread): shutting it down closes the socket whatever state the
        // connection is in. swift-websocket 1.6.2 waits for the HTTP upgrade on an EventLoopFuture, which ignores task
        // cancellation, so a server that accepts TCP but never answers would otherwise hold this task forever.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let reason: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    let close = try await WebSocketClient.connect(
                        url: url, configuration: wsConfiguration, tlsConfiguration: tls, eventLoopGroup: loop, logger: wsLogger
                    ) { inbound, _, _ in
                        events.yield(.opened(id))
                        try await read(inbound, connection: id, events: events)
                    }
                    if let close { return "server closed (\(close.closeCode))" }
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                await control.waitForCloseRequest()
                return Task.isCancelled ? "shutdown" : "closed by collector"
            }
            let first = await group.next() ?? nil
            // Cancelling ends an open WebSocket (close handshake within `closeTimeout`); a connect still waiting for
            // its upgrade is ended by closing its event loop once that time has passed.
            let grace = configuration.closeTimeout + .milliseconds(200)
            let graceNanoseconds = grace.components.seconds * 1_000_000_000 + grace.components.attoseconds / 1_000_000_000
            let forceClose = loop.next().scheduleTask(in: .nanoseconds(graceNanoseconds)) {
                loop.shutdownGracefully { _ in }
            }
            group.cancelAll()
            await group.waitForAll()
            forceClose.cancel()
            return first
        }
        try? await loop.shutdownGracefully()
        events.yield(.closed(id, reason))
    }

    /// Decodes frames until the connection ends; every trade goes through the gap detector.
    func read(_ inbound: WebSocketInboundStream, connection id: Int, events: AsyncStream<Event>.Continuation) async throws {
        var decoder = BinanceMessageDecoder(wallClock: stream.wallClock)
        var fragments: ByteBuffer?
        /// Skipping the continuation frames of a message already over the size limit.
        var skippingOversized = false
        var receiving = false
        let stats = stream.stats
        let maximumSize = configuration.maximumMessageSize
        for try await frame in inbound {
            let receivedAt = ContinuousClock.now
            var data: ByteBuffer
            switch frame.opcode {
            case .text, .binary:
                fragments = nil
                skippingOversized = false
                guard frame.data.readableBytes <= maximumSize else {
                    skippingOversized = !frame.fin
                    countOversized(frame.data.readableBytes, connection: id)
                    continue
                }
                if !frame.fin {
                    fragments = frame.data
                    continue
                }
                data = frame.data
            case .continuation:
                if skippingOversized {
                    if frame.fin { skippingOversized = false }
                    continue
                }
                guard var partial = fragments else { continue }
                // The whole message is capped, not each frame: a peer could send continuations forever.
                guard frame.data.readableBytes <= maximumSize - partial.readableBytes else {
                    fragments = nil
                    skippingOversized = !frame.fin
                    countOversized(partial.readableBytes + frame.data.readableBytes, connection: id)
                    continue
                }
                var piece = frame.data
                partial.writeBuffer(&piece)
                if !frame.fin {
                    fragments = partial
                    continue
                }
                fragments = nil
                data = partial
            }
            if !receiving {
                receiving = true
                events.yield(.receiving(id))
            }
            let result: Result<BinanceMessage, BinanceMessageError> = data.withUnsafeReadableBytes { bytes in
                Result { () throws(BinanceMessageError) -> BinanceMessage in try decoder.decode(bytes) }
            }
            switch result {
            case .failure(let error):
                let count = stats.update { s -> Int in
                    s.frames += 1
                    s.malformed += 1
                    return s.malformed
                }
                if Self.isLogWorthy(count) {
                    logger.warning("malformed frame skipped", metadata: [
                        "stream.connection": "\(id)", "error": "\(error)", "stream.malformed_total": "\(count)",
                        "sample": "\(String(decoding: data.readableBytesView.prefix(200), as: UTF8.self))",
                    ])
                }
            case .success(.ignored(let kind)):
                stats.update { s in
                    s.frames += 1
                    s.ignored[kind, default: 0] += 1
                }
                if kind == .unknown {
                    let count = stats.update { $0.ignored[.unknown, default: 0] }
                    if Self.isLogWorthy(count) {
                        logger.info("unknown frame skipped", metadata: [
                            "sample": "\(String(decoding: data.readableBytesView.prefix(200), as: UTF8.self))",
                        ])
                    }
                }
            case .success(.nonMarketTrade(let symbol, let tradeID, let time)):
                stats.update { s in
                    s.frames += 1
                    s.nonMarketTrades += 1
                }
                await accept(Trade(symbol: symbol, tradeID: tradeID, time: time, tick: nil, receivedAt: receivedAt), connection: id)
            case .success(.trade(let tick)):
                stats.update { $0.frames += 1 }
                await accept(Trade(symbol: tick.symbol, tradeID: tick.tradeID, time: tick.timestamp, tick: tick, receivedAt: receivedAt),
                             connection: id)
            }
        }
    }

    /// Counts a message dropped for its size as malformed (logged at the 1st, 10th, 100th, … time).
    private func countOversized(_ bytes: Int, connection id: Int) {
        let count = stream.stats.update { s -> Int in
            s.frames += 1
            s.malformed += 1
            return s.malformed
        }
        if Self.isLogWorthy(count) {
            logger.warning("oversized message skipped", metadata: [
                "stream.connection": "\(id)", "stream.message_bytes": "at least \(bytes)",
                "stream.maximum_message_bytes": "\(configuration.maximumMessageSize)", "stream.malformed_total": "\(count)",
            ])
        }
    }

    // MARK: - Sequencing

    /// Feeds one trade of a live connection to the gap detector (or holds it for a replacement).
    private func accept(_ trade: Trade, connection id: Int) async {
        let detectedAt = stream.wallClock()
        let observation: GapDetector.Observation? = shared.withLock { state in
            state.watchdogs[id]?.frameReceived(for: trade.symbol, at: trade.receivedAt)
            guard state.live.contains(id) else {
                if state.held[id] != nil, state.held[id, default: []].count < Self.maximumHeldTrades {
                    state.held[id, default: []].append(trade)
                }
                return nil
            }
            return state.gaps.observe(trade.symbol, tradeID: trade.tradeID, time: trade.time, detectedAt: detectedAt)
        }
        if let observation { await deliver(trade, observation) }
    }

    /// Queues the trade's tick (waiting while the queue is full: back-pressure on the socket reader).
    private func deliver(_ trade: Trade, _ observation: GapDetector.Observation) async {
        switch observation {
        case .duplicate:
            stream.stats.update { $0.duplicates += 1 }
            return
        case .afterGap(let gap):
            await report(gap)
        case .sequenceRestarted:
            logger.warning("trade ids restart below the last one: another stream kind's ids in the database, or an absurd id before; no gap measured", metadata: [
                "symbol": "\(trade.symbol)", "stream.trade_id": "\(trade.tradeID)",
            ])
        case .inSequence:
            break
        }
        if let tick = trade.tick {
            await stream.queue.send(.tick(tick, receivedAt: trade.receivedAt))
            stream.stats.update { $0.ticks[tick.symbol, default: 0] += 1 }
        }
    }

    /// Makes replacement `new` live: its held trades go through the gap detector, and `old` stops counting.
    ///
    /// Unless `force`d, the switch waits until the old connection has caught up, i.e. for every symbol the
    /// first held trade follows directly on (or overlaps) what was accepted; then no trade is lost or doubled.
    /// - Returns: whether the switch happened.
    func takeOver(_ new: Int, from old: Int?, force: Bool) async -> Bool {
        let detectedAt = stream.wallClock()
        let results: [(Trade, GapDetector.Observation)]? = shared.withLock { state in
            let held = state.held[new] ?? []
            if !force {
                var first: [Symbol: Int64] = [:]
                for trade in held where first[trade.symbol] == nil { first[trade.symbol] = trade.tradeID }
                for (symbol, id) in first {
                    if let last = state.gaps.lastTradeID(of: symbol), last < id, id - 1 > last { return nil }
                }
            }
            var results: [(Trade, GapDetector.Observation)] = []
            results.reserveCapacity(held.count)
            for trade in held {
                results.append((trade, state.gaps.observe(trade.symbol, tradeID: trade.tradeID, time: trade.time, detectedAt: detectedAt)))
            }
            state.held[new] = nil
            state.live.insert(new)
            if let old { state.live.remove(old) }
            return results
        }
        guard let results else { return false }
        for (trade, observation) in results { await deliver(trade, observation) }
        return true
    }

    private func report(_ gap: StreamGap) async {
        await stream.queue.send(.gap(gap))
        stream.stats.update { $0.gaps += 1 }
        logger.warning("gap in trade ids", metadata: [
            "symbol": "\(gap.symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "stream.gap.to_id": "\(gap.toTradeID)",
            "stream.gap.missing": "\(gap.missingTrades)", "stream.gap.from": "\(gap.fromTime)", "stream.gap.to": "\(gap.toTime)",
        ])
    }

    /// 1st, 10th, 100th, … occurrence: a sample is logged without flooding the log.
    static func isLogWorthy(_ count: Int) -> Bool {
        var n = count
        while n >= 10, n % 10 == 0 { n /= 10 }
        return n == 1
    }
}

/// Lets the supervisor close one connection: the connection's task waits on it next to the socket.
struct ConnectionControl: Sendable {
    private let signal: AsyncStream<Never>
    private let continuation: AsyncStream<Never>.Continuation

    init() { (signal, continuation) = AsyncStream.makeStream(of: Never.self) }

    /// Asks the connection to close (idempotent).
    func requestClose() { continuation.finish() }

    /// Returns once ``requestClose()`` was called or the task is cancelled.
    func waitForCloseRequest() async {
        for await _ in signal {}
    }
}
