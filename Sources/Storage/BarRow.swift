import GRDB
import Market

/// A row of `resampled_data` as read back (the columns after `symbol` and `timeframe`).
///
/// Decoded by column position, not through `Codable`: reports read hundreds of thousands of bars.
struct BarRow: FetchableRecord {
    let bar: Bar

    init(row: Row) {
        bar = Bar(
            openTime: Timestamp(milliseconds: row[0]),
            open: row[1], high: row[2], low: row[3], close: row[4],
            volume: row[5], quoteVolume: row[6], trades: row[7], takerBuyVolume: row[8])
    }

    static let columns = "ts, open, high, low, close, volume, quote_volume, trades, taker_buy_volume"

    /// The bars of one series in `[range.start, range.end)`, ascending.
    static func select(symbol: Symbol, timeframe: Timeframe, range: TimeRange) -> SQLRequest<BarRow> {
        SQLRequest(
            sql: """
                SELECT \(columns) FROM resampled_data
                WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts < ? ORDER BY ts
                """,
            arguments: [symbol.name, timeframe.description, range.start.milliseconds, range.end.milliseconds])
    }
}
