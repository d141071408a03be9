import Logging
import Market
import Storage
import Synchronization

// MARK: - State shared with the connection readers

extension StreamShard {
    /// State the connection readers and the shard's loop both touch.
    struct SharedState: Sendable {
        var gaps = GapDetector()
        var watchdogs: [Int: WatchdogStateMachine<C>] = [:]
        /// Connections whose trades go straight through the gap detector.
        var live: Set<Int> = []
        /// Trades of a replacement connection, held until it takes over (see ``StreamShard/takeOver(_:from:force:)``).
        var held: [Int: [Trade]] = [:]
    }

    /// The shard's ``SharedState`` behind a lock (a class, so the shard value can be copied into tasks).
    final class SharedBox: Sendable {
        private let state = Mutex(SharedState())

        func withLock<T>(_ body: (inout SharedState) -> T) -> T { state.withLock { body(&$0) } }

        /// The connections whose watchdog finds silent symbols at `now` (each reported once), by id.
        func stalls(at now: C.Instant) -> [Machine.Stall] {
            withLock { state in
                state.watchdogs.keys.sorted().compactMap { id in
                    guard case .stalled(let symbols, let silence) = state.watchdogs[id]?.check(at: now) else { return nil }
                    return Machine.Stall(connection: id, symbols: symbols, silentFor: silence)
                }
            }
        }
    }

    /// A trade as the sequencer sees it; only market trades become ticks.
    struct Trade: Sendable {
        var symbol: Symbol
        var tradeID: Int64
        var time: Timestamp
        var tick: Tick?
        /// When its frame arrived, for the receive-to-commit latency.
        var receivedAt: ContinuousClock.Instant
    }

    /// Upper bound of trades held for a replacement (beyond it the replacement is not ready anyway).
    static var maximumHeldTrades: Int { 1_000_000 }
}

// MARK: - Sequencing

extension StreamShard {
    /// Feeds one trade of a live connection to the gap detector (or holds it for a replacement); the frame,
    /// heard at `heardAt` on the shard's clock, keeps the symbol's watchdog quiet.
    func accept(_ trade: Trade, heardAt: C.Instant, connection id: Int) async {
        let detectedAt = stream.now()
        let observation: GapDetector.Observation? = shared.withLock { state in
            state.watchdogs[id]?.frameReceived(for: trade.symbol, at: heardAt)
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
        let detectedAt = stream.now()
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
}
