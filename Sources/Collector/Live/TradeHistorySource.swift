import Market

/// A REST endpoint that returns a symbol's past trades by id, page by page: what ``GapBackfill`` fills gaps from.
///
/// ``AggTradesClient`` (`/fapi/v1/aggTrades`, public) serves `aggTrade` streams; ``HistoricalTradesClient``
/// (`/fapi/v1/historicalTrades`, API key) serves `trade` streams.
public protocol TradeHistorySource: Sendable {
    /// The shortest spacing between two requests (rate limit).
    var minimumInterval: Duration { get }
    /// Whether every id in a range is returned. Aggregate ids are; trade ids are not, because Binance's
    /// historical trades leave out non-market trades (insurance fund, ADL) that still use up an id.
    var returnsEveryID: Bool { get }
    /// Up to `limit` (≤ 1000) trades of `symbol` with ids from `fromID`, ascending.
    ///
    /// - Throws: ``BackfillError`` for HTTP errors and unexpected responses.
    func page(symbol: Symbol, fromID: Int64, limit: Int) async throws -> [Tick]
}
