import Foundation
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

/// One trade of a REST page as Binance writes it (prices and quantities as decimal strings).
protocol RESTTradeRow: Decodable {
    var tradeID: Int64 { get }
    var priceText: String { get }
    var quantityText: String { get }
    var timeMilliseconds: Int64 { get }
    var isBuyerMaker: Bool { get }
}

/// The request URL and the JSON decoding shared by the REST trade sources.
enum RESTTradePage {
    /// `<base>/fapi/v1/<endpoint>?symbol=…&fromId=…&limit=…` (limit clamped to 1…1000).
    static func address(base: String, endpoint: String, symbol: Symbol, fromID: Int64, limit: Int) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/fapi/v1/\(endpoint)?symbol=\(symbol.name)&fromId=\(fromID)&limit=\(min(max(limit, 1), 1000))"
    }

    /// The ticks of a JSON array of `Row`s, prices and quantities parsed exactly.
    ///
    /// - Throws: ``BackfillError/invalidResponse(url:detail:)`` naming `address` for bad JSON or numbers.
    static func ticks<Row: RESTTradeRow>(of data: Data, as _: Row.Type, symbol: Symbol, address: String) throws -> [Tick] {
        let rows: [Row]
        do {
            rows = try JSONDecoder().decode([Row].self, from: data)
        } catch {
            throw BackfillError.invalidResponse(url: address, detail: "\(error)")
        }
        return try rows.map { row in
            guard let price = DecimalText.parse(row.priceText.utf8), let quantity = DecimalText.parse(row.quantityText.utf8) else {
                throw BackfillError.invalidResponse(url: address, detail: "bad price or quantity in trade \(row.tradeID)")
            }
            return Tick(symbol: symbol, tradeID: row.tradeID, timestamp: Timestamp(milliseconds: row.timeMilliseconds), price: price,
                        quantity: quantity, isBuyerMaker: row.isBuyerMaker)
        }
    }
}
