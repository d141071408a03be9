import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market

/// Binance's public REST endpoint for aggregate trades, `GET /fapi/v1/aggTrades?symbol=…&fromId=…&limit=…`,
/// used to backfill gaps of `aggTrade` streams. Requests are spaced by at least `minimumInterval`
/// (the endpoint weighs 20 of the 2,400-per-minute IP budget).
public struct AggTradesClient: TradeHistorySource {
    /// Production REST host for USD-M futures.
    public static let productionBaseURL = "https://fapi.binance.com"

    /// Downloads one URL; injectable for tests (the default is ``ExchangeHTTP``: deadline, size limit, no redirects,
    /// 429/418 with `Retry-After`).
    public typealias Fetch = @Sendable (URL) async throws -> Data

    public let baseURL: String
    public let minimumInterval: Duration
    /// Aggregate ids are consecutive: every id of a range is returned.
    public var returnsEveryID: Bool { true }
    let fetch: Fetch

    public init(baseURL: String = AggTradesClient.productionBaseURL, minimumInterval: Duration = .milliseconds(500),
                fetch: Fetch? = nil) {
        self.baseURL = baseURL
        self.minimumInterval = minimumInterval
        self.fetch = fetch ?? { url in try await ExchangeHTTP.restFetch(URLRequest(url: url)) }
    }

    /// One page of aggregate trades with ids from `fromID`, ascending (at most `limit`, ≤ 1000).
    ///
    /// - Throws: ``BackfillError`` for HTTP errors and unexpected JSON.
    public func page(symbol: Symbol, fromID: Int64, limit: Int = 1000) async throws -> [Tick] {
        let address = RESTTradePage.address(base: baseURL, endpoint: "aggTrades", symbol: symbol, fromID: fromID, limit: limit)
        guard let url = URL(string: address) else { throw BackfillError.invalidURL(baseURL) }
        return try RESTTradePage.ticks(of: try await fetch(url), as: Row.self, symbol: symbol, address: address)
    }

    /// `[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true}]`
    private struct Row: RESTTradeRow {
        var a: Int64
        var p: String
        var q: String
        var T: Int64
        var m: Bool

        var tradeID: Int64 { a }
        var priceText: String { p }
        var quantityText: String { q }
        var timeMilliseconds: Int64 { T }
        var isBuyerMaker: Bool { m }
    }
}

/// Why a gap could not be backfilled.
public enum BackfillError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidURL(String)
    case httpStatus(Int, url: String)
    case invalidResponse(url: String, detail: String)
    /// The endpoint did not return the whole id range (e.g. the trades are older than it keeps).
    case incomplete(symbol: Symbol, expected: ClosedRange<Int64>, missingFrom: Int64)
    /// A returned trade has a time outside ``Market/Timestamp/plausibleMarketTimes(now:)`` (ms as received).
    case implausibleTrade(symbol: Symbol, tradeID: Int64, time: Int64)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid REST base URL \(url)"
        case .httpStatus(let status, let url): "HTTP \(status) from \(url)"
        case .invalidResponse(let url, let detail): "unexpected response from \(url): \(detail)"
        case .incomplete(let symbol, let expected, let missingFrom):
            "\(symbol): aggregate trades \(expected.lowerBound)…\(expected.upperBound) not all available (missing from \(missingFrom))"
        case .implausibleTrade(let symbol, let tradeID, let time):
            "\(symbol): trade \(tradeID) from REST has time \(time), outside 2017-01-01 … now + 1 day"
        }
    }
}
