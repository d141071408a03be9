import Market
import PostgresNIO

extension PostgresStore {
    /// The bars of `symbol` at `timeframe` opening in `range`, ascending; volumes as the doubles nearest to the stored
    /// exact decimals.
    ///
    /// Read as one row of columns (an array per field) rather than a row per bar: a day of 1 s bars is 86,400 rows,
    /// each a protocol message and nine decoded fields (850–924 ms for both legs' day before, 5–7× SQLite's; 700–816 ms
    /// after, in `pairbook-bench postgres`).
    /// Most of what remains is the server's `numeric` → `float8` conversion (by way of text).
    public func bars(for symbol: Symbol, timeframe: Timeframe, in range: TimeRange) async throws -> BarSeries {
        let operation = "reading bars of \(symbol)"
        // A plain aggregate over a sorted subquery takes its rows in that order (PostgreSQL's documented behaviour).
        let rows = try await run(operation, """
            SELECT array_agg(ts), array_agg(open), array_agg(high), array_agg(low), array_agg(close), array_agg(volume),
                   array_agg(quote_volume), array_agg(trades), array_agg(taker_buy_volume)
            FROM (SELECT \(unescaped: Self.barValues) FROM resampled_data
                  WHERE symbol = \(symbol.name) AND timeframe = \(timeframe.description)
                    AND ts >= \(range.start.milliseconds) AND ts < \(range.end.milliseconds)
                  ORDER BY ts) bars
            """)
        var bars: [Bar] = []
        do {
            for try await (ts, open, high, low, close, volume, quote, trades, taker) in rows.decode(
                ([Int64]?, [Double]?, [Double]?, [Double]?, [Double]?, [Double]?, [Double]?, [Int64]?, [Double]?).self) {
                guard let ts, let open, let high, let low, let close, let volume, let quote, let trades, let taker else { continue }
                bars.reserveCapacity(ts.count)
                for i in ts.indices {
                    bars.append(Bar(openTime: Timestamp(milliseconds: ts[i]), open: open[i], high: high[i], low: low[i],
                                    close: close[i], volume: volume[i], quoteVolume: quote[i], trades: trades[i],
                                    takerBuyVolume: taker[i]))
                }
            }
        } catch {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error))
        }
        return BarSeries(symbol: symbol, timeframe: timeframe, bars: bars)
    }

    /// The columns of a bar as read back (volumes as doubles), for ``barRows(_:_:)``.
    static let barValues = """
        ts, open::float8, high::float8, low::float8, close::float8, volume::float8, quote_volume::float8, trades,
        taker_buy_volume::float8
        """

    /// The bars a query selecting ``barValues`` returns, in its order.
    func barRows(_ operation: String, _ query: PostgresQuery) async throws -> [Bar] {
        let rows = try await run(operation, query)
        do {
            return try await Self.decodeBars(rows)
        } catch {
            throw PostgresStoreError.query(operation: operation, message: Self.message(of: error))
        }
    }

    /// The bars of rows selecting ``barValues``, in their order.
    static func decodeBars(_ rows: PostgresRowSequence) async throws -> [Bar] {
        var bars: [Bar] = []
        for try await (ts, open, high, low, close, volume, quote, trades, taker) in rows.decode(
            (Int64, Double, Double, Double, Double, Double, Double, Int64, Double).self) {
            bars.append(Bar(openTime: Timestamp(milliseconds: ts), open: open, high: high, low: low, close: close, volume: volume,
                            quoteVolume: quote, trades: trades, takerBuyVolume: taker))
        }
        return bars
    }

    /// How many trades are stored (of `symbol`, or of all).
    public func tickCount(of symbol: Symbol? = nil) async throws -> Int {
        let query: PostgresQuery = symbol.map { "SELECT count(*) FROM tick_data WHERE symbol = \($0.name)" }
            ?? "SELECT count(*) FROM tick_rows"
        for try await count in try await run("counting trades", query).decode(Int64.self) { return Int(count) }
        return 0
    }
}

extension PostgresStore {
    /// The columns of a trade as read back (price and quantity as doubles), for ``tick(of:from:)``.
    static let tradeValues = "trade_id, ts, price::float8, quantity::float8, is_buyer_maker"

    /// The trade of `symbol` in a row selecting ``tradeValues``.
    static func tick(of symbol: Symbol, from row: PostgresRow) throws -> Tick {
        let (id, ts, price, quantity, isBuyerMaker) = try row.decode((Int64, Int64, Double, Double, Bool).self)
        return Tick(symbol: symbol, tradeID: id, timestamp: Timestamp(milliseconds: ts), price: price, quantity: quantity,
                    isBuyerMaker: isBuyerMaker)
    }
}
