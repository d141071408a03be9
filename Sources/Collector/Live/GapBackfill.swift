import Logging
import Market
import ServiceLifecycle
import Storage

/// Fills recorded gaps of `aggTrade` streams from Binance's REST endpoint (``AggTradesClient``).
///
/// Every `interval` it reads the unfilled gaps of its symbols from the store, fetches the missing
/// aggregate ids `fromTradeID + 1 … toTradeID - 1` page by page (rate-limited by the client), and sends
/// them into the collector's ``LiveEventQueue`` followed by a ``LiveEvent/gapFilled(_:at:)`` marker, so
/// that the ``LiveRecorder`` commits them through the same `Recorder` (bars stay consistent) and marks
/// the gap filled. Trade-stream gaps are left alone: trade ids are not aggregate ids.
public struct GapBackfill: Service {
    let store: Store
    let symbols: Set<Symbol>
    let client: AggTradesClient
    let queue: LiveEventQueue
    let interval: Duration
    let logger: Logger
    let wallClock: @Sendable () -> Timestamp

    public init(store: Store, symbols: [Symbol], client: AggTradesClient, queue: LiveEventQueue,
                interval: Duration = .seconds(10), logger: Logger,
                wallClock: @escaping @Sendable () -> Timestamp = BinanceStream.systemTime) {
        self.store = store
        self.symbols = Set(symbols)
        self.client = client
        self.queue = queue
        self.interval = interval
        self.logger = logger
        self.wallClock = wallClock
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var done: Set<String> = []
            while !Task.isCancelled {
                await fillOpenGaps(skipping: &done)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: fills every unfilled gap of the service's symbols not already handled.
    func fillOpenGaps(skipping done: inout Set<String>) async {
        let gaps: [StreamGap]
        do {
            gaps = try store.gaps(for: nil).filter { $0.filledAt == nil && symbols.contains($0.symbol) }
        } catch {
            logger.error("cannot read stream gaps", metadata: ["error": "\(error)"])
            return
        }
        for gap in gaps.reversed() where !Task.isCancelled {
            let key = "\(gap.symbol) \(gap.fromTradeID)"
            guard !done.contains(key) else { continue }
            do {
                let ticks = try await missingTicks(for: gap)
                for tick in ticks { queue.send(.tick(tick, receivedAt: .now)) }
                queue.send(.gapFilled(gap, at: wallClock()))
                done.insert(key)
                logger.notice("gap backfilled from REST", metadata: [
                    "symbol": "\(gap.symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "stream.gap.to_id": "\(gap.toTradeID)",
                    "stream.gap.trades": "\(ticks.count)",
                ])
            } catch is CancellationError {
                return
            } catch {
                logger.warning("gap backfill failed; will retry", metadata: [
                    "symbol": "\(gap.symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "error": "\(error)",
                ])
            }
        }
    }

    /// The aggregate trades strictly between the gap's ends, in id order.
    ///
    /// - Throws: ``BackfillError/incomplete(symbol:expected:missingFrom:)`` when the endpoint runs out early.
    public func missingTicks(for gap: StreamGap) async throws -> [Tick] {
        let first = gap.fromTradeID + 1
        let last = gap.toTradeID - 1
        guard first <= last else { return [] }
        var ticks: [Tick] = []
        var next = first
        var lastRequest: ContinuousClock.Instant?
        while next <= last {
            if let lastRequest {
                let wait = client.minimumInterval - lastRequest.duration(to: .now)
                if wait > .zero { try await Task.sleep(for: wait) }
            }
            lastRequest = .now
            let page = try await client.page(symbol: gap.symbol, fromID: next, limit: Int(min(1000, last - next + 1)))
            var progressed = false
            for tick in page where tick.tradeID >= next && tick.tradeID <= last {
                guard tick.tradeID == next else { break }
                ticks.append(tick)
                next += 1
                progressed = true
            }
            guard progressed else { throw BackfillError.incomplete(symbol: gap.symbol, expected: first...last, missingFrom: next) }
        }
        return ticks
    }
}
