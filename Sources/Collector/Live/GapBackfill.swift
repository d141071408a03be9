import Logging
import Market
import ServiceLifecycle
import Storage

/// Fills recorded gaps from Binance's REST endpoints: `aggTrade` streams from `/fapi/v1/aggTrades`
/// (``AggTradesClient``), `trade` streams from `/fapi/v1/historicalTrades` (``HistoricalTradesClient``, API key).
///
/// Every `interval` it reads the unfilled gaps of its symbols from the store, fetches the missing ids
/// `fromTradeID + 1 … toTradeID - 1` page by page (requests spaced by the client's `minimumInterval`), sends
/// each page into the collector's ``LiveEventQueue`` as it arrives (memory O(page) whatever the gap; the queue's
/// back-pressure applies), and then a ``LiveEvent/gapFilled(_:at:)`` marker, so that the ``LiveRecorder``
/// commits the trades through the same `Recorder` (bars stay consistent) and marks the gap filled. A backfill
/// that fails half-way (network, HTTP errors) leaves the gap open and is retried next pass; trades it already
/// stored are not counted twice. A gap the endpoint cannot serve completely (``BackfillError/incomplete(symbol:expected:missingFrom:)``,
/// e.g. trades older than it keeps) is given up after one attempt: it stays open in `stream_gaps`, logged once.
/// ``forStream(kind:restEndpoint:apiKey:store:symbols:queue:logger:)`` picks the client for a stream kind.
public struct GapBackfill: Service {
    let store: any LiveStore
    let symbols: Set<Symbol>
    let client: any TradeHistorySource
    let queue: LiveEventQueue
    let interval: Duration
    let logger: Logger
    let wallClock: @Sendable () -> Timestamp

    public init(store: any LiveStore, symbols: [Symbol], client: any TradeHistorySource, queue: LiveEventQueue,
                interval: Duration = .seconds(10), logger: Logger,
                wallClock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
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
            var lastRequest: ContinuousClock.Instant?
            while !Task.isCancelled {
                let backOff = await fillOpenGaps(skipping: &done, lastRequest: &lastRequest)
                try? await Task.sleep(for: max(interval, backOff ?? .zero))
            }
        }
    }

    /// One pass: fills every unfilled gap of the service's symbols not already handled.
    ///
    /// - Returns: how long to wait before the next pass when the endpoint said to back off (429/418, its
    ///   `Retry-After`, else a minute); the pass stops there.
    @discardableResult
    func fillOpenGaps(skipping done: inout Set<String>, lastRequest: inout ContinuousClock.Instant?) async -> Duration? {
        let gaps: [StreamGap]
        do {
            gaps = try await store.gaps(for: nil).filter { $0.filledAt == nil && symbols.contains($0.symbol) }
        } catch {
            logger.error("cannot read stream gaps", metadata: ["error": "\(error)"])
            return nil
        }
        for gap in gaps.reversed() where !Task.isCancelled {
            let key = "\(gap.symbol) \(gap.fromTradeID)"
            guard !done.contains(key) else { continue }
            do {
                var count = 0
                try await forEachMissingPage(of: gap, lastRequest: &lastRequest) { ticks in
                    for tick in ticks { await queue.send(.tick(tick, receivedAt: .now)) }
                    count += ticks.count
                }
                await queue.send(.gapFilled(gap, at: wallClock()))
                done.insert(key)
                logger.notice("gap backfilled from REST", metadata: [
                    "symbol": "\(gap.symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "stream.gap.to_id": "\(gap.toTradeID)",
                    "stream.gap.trades": "\(count)",
                ])
            } catch is CancellationError {
                return nil
            } catch ExchangeHTTPError.rateLimited(let status, let retryAfter, _) {
                let wait = retryAfter ?? .seconds(60)
                logger.warning("REST endpoint rate-limits the backfill; backing off", metadata: [
                    "symbol": "\(gap.symbol)", "http.status": "\(status)", "backfill.retry_after": "\(wait)",
                ])
                return wait
            } catch BackfillError.incomplete(let symbol, let expected, let missingFrom) {
                // The endpoint no longer has these trades (e.g. older than it keeps): asking again will not help.
                done.insert(key)
                logger.warning("gap cannot be backfilled completely; it stays recorded as open", metadata: [
                    "symbol": "\(symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "stream.gap.to_id": "\(gap.toTradeID)",
                    "stream.gap.missing_from": "\(missingFrom)", "stream.gap.expected": "\(expected.lowerBound)…\(expected.upperBound)",
                ])
            } catch {
                logger.warning("gap backfill failed; will retry", metadata: [
                    "symbol": "\(gap.symbol)", "stream.gap.from_id": "\(gap.fromTradeID)", "error": "\(error)",
                ])
            }
        }
        return nil
    }

    /// The trades strictly between the gap's ends, in id order (all in memory; the service itself streams pages).
    ///
    /// - Throws: ``BackfillError/incomplete(symbol:expected:missingFrom:)`` when the endpoint runs out early.
    public func missingTicks(for gap: StreamGap) async throws -> [Tick] {
        var ticks: [Tick] = []
        var lastRequest: ContinuousClock.Instant?
        try await forEachMissingPage(of: gap, lastRequest: &lastRequest) { ticks += $0 }
        return ticks
    }

    /// Calls `body` with each page of the trades strictly between the gap's ends, in id order.
    ///
    /// A source that returns every id (aggregate trades) must return them without a hole. One that does not
    /// (historical trades omit non-market trades) is done once a page reaches past the gap's last missing id.
    /// - Parameter lastRequest: when the previous request was sent (rate limit across gaps); updated.
    /// - Throws: ``BackfillError/incomplete(symbol:expected:missingFrom:)`` when the endpoint runs out early,
    ///   the client's errors, or `CancellationError`.
    func forEachMissingPage(of gap: StreamGap, lastRequest: inout ContinuousClock.Instant?,
                            _ body: ([Tick]) async throws -> Void) async throws {
        // Checked: a gap row may hold any ids (the detector never traps on them, nor may this).
        guard gap.fromTradeID < .max, gap.toTradeID > .min else { return }
        let first = gap.fromTradeID + 1
        let last = gap.toTradeID - 1
        guard first <= last else { return }
        var next = first
        while next <= last {
            if let lastRequest {
                let wait = client.minimumInterval - lastRequest.duration(to: .now)
                if wait > .zero { try await Task.sleep(for: wait) }
            }
            lastRequest = .now
            let (remaining, overflow) = last.subtractingReportingOverflow(next)
            let page = try await client.page(symbol: gap.symbol, fromID: next, limit: overflow ? 1000 : Int(min(999, remaining) + 1))
            let times = Timestamp.plausibleMarketTimes(now: wallClock())
            var accepted: [Tick] = []
            var reachedEnd = false
            for tick in page where tick.tradeID >= next {
                if tick.tradeID > last {
                    reachedEnd = true
                    break
                }
                if client.returnsEveryID && tick.tradeID != next { break }
                // An absurd time would trap in bar alignment, or land in bars of another era: the page is refused.
                guard times.contains(tick.timestamp) else {
                    throw BackfillError.implausibleTrade(symbol: gap.symbol, tradeID: tick.tradeID, time: tick.timestamp.milliseconds)
                }
                accepted.append(tick)
                next = tick.tradeID + 1
            }
            if !accepted.isEmpty { try await body(accepted) }
            if reachedEnd && !client.returnsEveryID { return }
            guard !accepted.isEmpty else {
                throw BackfillError.incomplete(symbol: gap.symbol, expected: first...last, missingFrom: next)
            }
        }
    }
}

extension GapBackfill {
    /// The backfill service for a stream kind, or `nil` when that kind's gaps can only be recorded (logged once,
    /// here, at notice level).
    ///
    /// - `aggTrade`: from `restEndpoint`'s `/fapi/v1/aggTrades`; `nil` without an endpoint.
    /// - `trade`: from `/fapi/v1/historicalTrades` of `restEndpoint` (default: Binance production), which needs
    ///   `apiKey` (``HistoricalTradesClient/apiKeyEnvironmentVariable``); `nil` without a key. The key is not logged.
    public static func forStream(kind: StreamKind, restEndpoint: String?, apiKey: String?, store: any LiveStore, symbols: [Symbol],
                                 queue: LiveEventQueue, interval: Duration = .seconds(10), logger: Logger) -> GapBackfill? {
        let client: any TradeHistorySource
        switch kind {
        case .aggTrade:
            guard let restEndpoint else {
                logger.notice("aggTrade gaps are recorded in stream_gaps but not backfilled (no REST endpoint configured)")
                return nil
            }
            client = AggTradesClient(baseURL: restEndpoint)
        case .trade:
            guard let apiKey, !apiKey.isEmpty else {
                logger.notice("""
                    trade-stream gaps are recorded in stream_gaps but NOT backfilled: Binance's /fapi/v1/historicalTrades \
                    needs an API key; set \(HistoricalTradesClient.apiKeyEnvironmentVariable) to backfill them
                    """)
                return nil
            }
            client = HistoricalTradesClient(baseURL: restEndpoint ?? AggTradesClient.productionBaseURL, apiKey: apiKey)
        }
        logger.notice("gaps will be backfilled from REST", metadata: [
            "stream.kind": "\(kind.rawValue)", "rest.endpoint": "\(restEndpoint ?? AggTradesClient.productionBaseURL)",
        ])
        return GapBackfill(store: store, symbols: symbols, client: client, queue: queue, interval: interval, logger: logger)
    }
}
