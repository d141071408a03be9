import Logging
import Market

/// One group of symbols on one connection (two while rotating): performs what its ``ShardStateMachine`` decides.
///
/// The shard's loop feeds the machine the connections' events and its own scheduled checks, all stamped with the
/// stream's clock, and carries out the returned actions: starting and closing connections, watchdogs, take-overs,
/// logs and counters. The connection readers share only ``SharedState`` (gap detector, watchdogs, held trades).
struct StreamShard<C: Clock>: Sendable where C.Duration == Duration {
    typealias Machine = ShardStateMachine<C>

    let index: Int
    let symbols: [Symbol]
    let stream: BinanceStream<C>
    let shared: SharedBox
    let logger: Logger

    /// What the connection tasks and the check timer tell the shard's loop.
    enum Event: Sendable {
        case opened(Int)
        case receiving(Int)
        case closed(Int, String?)
        case check
    }

    init(index: Int, symbols: [Symbol], stream: BinanceStream<C>) {
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
    var clock: C { stream.clock }

    func run() async {
        let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let url = configuration.url(for: symbols)
        await withDiscardingTaskGroup { group in
            var machine = Machine(configuration: configuration)
            var connections: [Int: ConnectionControl] = [:]
            var random = SystemRandomNumberGenerator()

            func perform(_ actions: [Machine.Action], at now: C.Instant) async {
                for action in actions {
                    switch action {
                    case .open(let id, let opening):
                        let control = ConnectionControl()
                        connections[id] = control
                        shared.withLock { state in
                            if opening == .replacement { state.held[id] = [] } else { state.live.insert(id) }
                        }
                        if opening == .reconnect { stream.stats.update { $0.reconnects += 1 } }
                        group.addTask { await runConnection(id: id, url: url, control: control, events: sink) }
                    case .track(let id, let role):
                        track(id, role: role, at: now, url: url)
                    case .untrack(let id, let wasOpen):
                        connections[id] = nil
                        untrack(id, wasOpen: wasOpen)
                    case .close(let id, let reason):
                        log(closing: id, because: reason)
                        connections[id]?.requestClose()
                    case .takeOver(let id, let old, let force):
                        let succeeded = await takeOver(id, from: old, force: force)
                        await perform(machine.takeOverFinished(succeeded: succeeded, at: now), at: now)
                    case .report(let report):
                        log(report)
                    case .scheduleCheck(let deadline):
                        group.addTask {
                            guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
                            sink.yield(.check)
                        }
                    }
                }
            }

            let start = clock.now
            await perform(machine.start(at: start), at: start)
            for await event in events {
                let now = clock.now
                switch event {
                case .opened(let id):
                    await perform(machine.connectionOpened(id, at: now), at: now)
                case .receiving(let id):
                    await perform(machine.connectionReceiving(id, at: now), at: now)
                case .closed(let id, let reason):
                    await perform(machine.connectionClosed(id, reason: reason, at: now, using: &random), at: now)
                case .check:
                    await perform(machine.check(at: now, stalled: shared.stalls(at: now)), at: now)
                }
            }
            // Cancelled (shutdown): stop every connection and the check timer.
            for control in connections.values { control.requestClose() }
            group.cancelAll()
        }
    }

    // MARK: - Performing actions

    private func track(_ id: Int, role: Machine.Role, at now: C.Instant, url: String) {
        stream.stats.update { $0.openConnections += 1 }
        let watchdog = WatchdogStateMachine<C>(symbols: symbols, timeout: configuration.watchdogTimeout, startedAt: now)
        shared.withLock { $0.watchdogs[id] = watchdog }
        switch role {
        case .primary: logger.notice("connected", metadata: ["stream.connection": "\(id)", "stream.url": "\(url)"])
        case .replacement: logger.info("replacement connection open", metadata: ["stream.connection": "\(id)"])
        }
    }

    private func untrack(_ id: Int, wasOpen: Bool) {
        if wasOpen { stream.stats.update { $0.openConnections -= 1 } }
        shared.withLock { state in
            state.watchdogs[id] = nil
            state.live.remove(id)
            state.held[id] = nil
        }
    }

    private func log(closing id: Int, because reason: Machine.CloseReason) {
        switch reason {
        case .connectTimedOut:
            logger.warning("connecting timed out; retrying", metadata: [
                "stream.connection": "\(id)", "stream.timeout": "\(configuration.connectTimeout)",
            ])
        case .stalled(let silent, let silence):
            stream.stats.update { $0.stalls += 1 }
            logger.error("WATCHDOG: no frames on an open connection; reconnecting", metadata: [
                "stream.connection": "\(id)", "symbols": "\(silent.map(\.name).joined(separator: ","))",
                "stream.silent_for": "\(silence)",
            ])
        case .replacementSilent:
            logger.warning("replacement connection delivered nothing; keeping the current one", metadata: ["stream.connection": "\(id)"])
        case .primaryClosed, .rotatedOut:
            break
        }
    }

    private func log(_ report: Machine.Report) {
        switch report {
        case .reconnecting(let id, let reason, let retryIn, let attempt):
            logger.warning("connection closed; reconnecting", metadata: [
                "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
                "stream.retry_in": "\(retryIn)", "stream.attempt": "\(attempt)",
            ])
        case .replacementTookOver(let id, let reason):
            logger.warning("connection closed during rotation; the replacement took over", metadata: [
                "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
            ])
        case .replacementFailed(let id, let reason):
            logger.warning("replacement connection failed; keeping the current one", metadata: [
                "stream.connection": "\(id)", "stream.reason": "\(reason ?? "closed by server")",
            ])
        case .rotationStarted(let primary):
            logger.notice("rotating connection before the 24 h limit", metadata: ["stream.connection": "\(primary ?? 0)"])
        case .overlapStarted(let id):
            logger.info("replacement connection receiving; overlapping", metadata: ["stream.connection": "\(id)"])
        case .rotationComplete(let id):
            stream.stats.update { $0.rotations += 1 }
            logger.notice("rotation complete", metadata: ["stream.connection": "\(id)"])
        }
    }
}
