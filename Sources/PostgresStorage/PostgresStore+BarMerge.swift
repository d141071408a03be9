import Market
import PostgresNIO

/// A live-sized share of a batch (at most ``PostgresStore/mergeLimit`` trades of a symbol): its new trades and their
/// bars in one statement.
///
/// Recomputing a bar from its stored trades costs what the bar holds, not what the batch adds: a collector committing
/// every few tens of milliseconds re-read the trades of the current second, minute and five minutes many times over
/// (13 ms of a 1 s bar's recomputation per batch at 5,000 trades/s). Here the new trades' own bars are merged into the
/// stored ones instead, which is exact: sums of `numeric` are, the open and close are the first and last trade by
/// (time, trade id) of the stored and the new ones, and a stored bar counts only where the bucket held trades before.
extension PostgresStore {
    /// The most trades of one symbol written by ``insertMerging(_:id:frames:keepingBars:_:_:)``; a larger share (an
    /// import's) is copied and its bars recomputed, which costs less per trade in bulk.
    static let mergeLimit = 10_000

    /// What ``insertMerging(_:id:frames:keepingBars:_:_:)`` wrote.
    struct Merged {
        /// Trades stored for the first time, and the span of their times (nil when none).
        var inserted = 0
        var span: (first: Timestamp, last: Timestamp)?
        /// Bar rows written; with `keepingBars`, the bars by timeframe.
        var barsWritten = 0
        var bars: [Timeframe: [Bar]] = [:]
    }

    /// Inserts the trades of `part` not stored yet and merges their bars of `frames` into the stored ones, in one
    /// statement. The caller holds the symbol's advisory lock (taken by an earlier statement, so that this one's
    /// snapshot holds every earlier writer's trades and bars) and passes only `frames` whose stored bars hold every
    /// stored trade (``completeFrames(ofSymbol:stored:writing:_:_:)``).
    ///
    /// Every read is an index probe (the `LIMIT`s keep the planner from joining a whole table by hash: it did, for the
    /// stored bars). The statement's parts run on one snapshot: reads of `tick_rows` see the trades stored before it
    /// (the earliest and latest of each touched bucket), never the ones it inserts, which come from `RETURNING` (a
    /// trade stored already is not returned, so a batch recorded again adds nothing to its bars). A stored bar is
    /// merged only when its bucket held trades; otherwise (a bar of imported klines, or of trades since dropped) it is
    /// replaced, as recomputing it from the trades would.
    static func insertMerging(_ part: SymbolTrades, id: Int32, frames: [Timeframe], keepingBars: Bool,
                              _ connection: PostgresConnection, _ logger: Logger) async throws -> Merged {
        let trades = part.trades
        let names = frames.map(\.description), spans = frames.map(\.milliseconds)
        let returning = keepingBars ? "timeframe, \(barValues)" : "1"
        let select = keepingBars
            ? "SELECT added.*, written.* FROM added LEFT JOIN written ON true ORDER BY written.timeframe, written.ts"
            : "SELECT added.*, (SELECT count(*) FROM written) FROM added"
        let query: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker)
                SELECT \(id), * FROM unnest(\(trades.map(\.timestamp.milliseconds))::bigint[], \(trades.map(\.tradeID))::bigint[],
                                            \(trades.map(\.price.description))::numeric[],
                                            \(trades.map(\.quantity.description))::numeric[], \(trades.map(\.isBuyerMaker))::boolean[])
                ON CONFLICT DO NOTHING
                RETURNING ts, trade_id, price, quantity, is_buyer_maker
            ), added AS (
                SELECT count(*) AS count, min(ts) AS first, max(ts) AS last FROM inserted
            ), fresh AS (
                SELECT frame.name, frame.span, inserted.ts - inserted.ts % frame.span AS open_time,
                       min(ARRAY[inserted.ts, inserted.trade_id, inserted.price]) AS first,
                       max(ARRAY[inserted.ts, inserted.trade_id, inserted.price]) AS last,
                       max(price) AS high, min(price) AS low, sum(quantity) AS volume, sum(price * quantity) AS quote_volume,
                       count(*) AS trades, coalesce(sum(quantity) FILTER (WHERE NOT is_buyer_maker), 0) AS taker_buy_volume
                FROM inserted CROSS JOIN unnest(\(names)::text[], \(spans)::bigint[]) AS frame (name, span)
                GROUP BY frame.name, frame.span, open_time
            ), merged AS (
                SELECT fresh.name, fresh.open_time,
                       (least(fresh.first, earliest.trade))[3] AS open, greatest(fresh.high, stored.high) AS high,
                       least(fresh.low, stored.low) AS low, (greatest(fresh.last, latest.trade))[3] AS close,
                       fresh.volume + coalesce(stored.volume, 0) AS volume,
                       fresh.quote_volume + coalesce(stored.quote_volume, 0) AS quote_volume,
                       fresh.trades + coalesce(stored.trades, 0) AS trades,
                       fresh.taker_buy_volume + coalesce(stored.taker_buy_volume, 0) AS taker_buy_volume
                FROM fresh
                LEFT JOIN LATERAL (
                    SELECT ARRAY[ts, trade_id, price] AS trade FROM tick_rows
                    WHERE symbol_id = \(id) AND ts >= fresh.open_time AND ts < fresh.open_time + fresh.span
                    ORDER BY ts, trade_id LIMIT 1) earliest ON true
                LEFT JOIN LATERAL (
                    SELECT ARRAY[ts, trade_id, price] AS trade FROM tick_rows
                    WHERE symbol_id = \(id) AND ts >= fresh.open_time AND ts < fresh.open_time + fresh.span
                    ORDER BY ts DESC, trade_id DESC LIMIT 1) latest ON true
                LEFT JOIN LATERAL (
                    SELECT high, low, volume, quote_volume, trades, taker_buy_volume FROM resampled_data
                    WHERE symbol = \(part.symbol.name) AND timeframe = fresh.name AND ts = fresh.open_time
                    LIMIT 1) stored ON earliest.trade IS NOT NULL
            ), written AS (
                INSERT INTO resampled_data \(unescaped: barColumns)
                SELECT \(part.symbol.name), name, open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume
                FROM merged
                ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET open = excluded.open, high = excluded.high,
                    low = excluded.low, close = excluded.close, volume = excluded.volume, quote_volume = excluded.quote_volume,
                    trades = excluded.trades, taker_buy_volume = excluded.taker_buy_volume
                RETURNING \(unescaped: returning)
            )
            \(unescaped: select)
            """
        let rows = try await connection.query(query, logger: logger)
        var merged = Merged()
        func summarize(_ count: Int64, _ first: Int64?, _ last: Int64?) {
            merged.inserted = Int(count)
            if let first, let last { merged.span = (Timestamp(milliseconds: first), Timestamp(milliseconds: last)) }
        }
        if keepingBars {
            let frames = Dictionary(uniqueKeysWithValues: frames.map { ($0.description, $0) })
            for try await (count, first, last, name, ts, open, high, low, close, volume, quote, trades, taker) in rows.decode(
                (Int64, Int64?, Int64?, String?, Int64?, Double?, Double?, Double?, Double?, Double?, Double?, Int64?, Double?).self) {
                summarize(count, first, last)
                guard let name, let frame = frames[name], let ts, let open, let high, let low, let close, let volume,
                      let quote, let trades, let taker else { continue }
                merged.bars[frame, default: []].append(Bar(
                    openTime: Timestamp(milliseconds: ts), open: open, high: high, low: low, close: close, volume: volume,
                    quoteVolume: quote, trades: trades, takerBuyVolume: taker))
                merged.barsWritten += 1
            }
        } else {
            for try await (count, first, last, written) in rows.decode((Int64, Int64?, Int64?, Int64).self) {
                summarize(count, first, last)
                merged.barsWritten = Int(written)
            }
        }
        return merged
    }
}
