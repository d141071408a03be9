import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Market

/// Binance's REST endpoint for past trades, `GET /fapi/v1/historicalTrades?symbol=…&fromId=…&limit=…`, used to
/// backfill gaps of `trade` streams with the exact trades (id, price, quantity, time, side).
///
/// The endpoint needs an API key (security type MARKET_DATA: the `X-MBX-APIKEY` header, no signature). The key
/// is sent only in that header; it never appears in a URL, an error, a log line or this type's description.
/// Requests are spaced by at least `minimumInterval` (the endpoint weighs 20 of the 2,400-per-minute IP budget).
/// Binance returns market trades only, so ids of insurance-fund and ADL trades are absent from the pages.
///
/// ```swift
/// let client = HistoricalTradesClient(apiKey: key)
/// let trades = try await client.page(symbol: "BTCUSDT", fromID: 5_100_000_000, limit: 1000)
/// ```
public struct HistoricalTradesClient: TradeHistorySource, CustomStringConvertible {
    /// Sends one request and returns the body; injectable for tests (the default uses `URLSession`).
    public typealias Fetch = @Sendable (URLRequest) async throws -> Data

    /// The environment variable the CLI reads the key from.
    public static let apiKeyEnvironmentVariable = "BINANCE_API_KEY"

    public let baseURL: String
    public let minimumInterval: Duration
    public var returnsEveryID: Bool { false }
    private let apiKey: String
    private let fetch: Fetch

    /// - Parameters:
    ///   - apiKey: a Binance API key (read-only permissions suffice).
    ///   - fetch: sends a request; the default is ``ExchangeHTTP`` (deadline, size limit, no redirects, 429/418 with
    ///     `Retry-After`), and the key only goes over https:// (or http:// to the loopback interface).
    public init(baseURL: String = AggTradesClient.productionBaseURL, apiKey: String,
                minimumInterval: Duration = .milliseconds(500), fetch: Fetch? = nil) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.minimumInterval = minimumInterval
        self.fetch = fetch ?? ExchangeHTTP.restFetch
    }

    /// Names the endpoint, never the key.
    public var description: String { "HistoricalTradesClient(\(baseURL), key: <redacted>)" }

    public func page(symbol: Symbol, fromID: Int64, limit: Int = 1000) async throws -> [Tick] {
        let address = RESTTradePage.address(base: baseURL, endpoint: "historicalTrades", symbol: symbol, fromID: fromID, limit: limit)
        guard let url = URL(string: address) else { throw BackfillError.invalidURL(baseURL) }
        try ExchangeHTTP.checkKeyTransport(url)
        var request = URLRequest(url: url)
        request.setValue(apiKey, forHTTPHeaderField: "X-MBX-APIKEY")
        return try RESTTradePage.ticks(of: try await fetch(request), as: Row.self, symbol: symbol, address: address)
    }

    /// `[{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.00","time":1499865549590,"isBuyerMaker":true}]`
    private struct Row: RESTTradeRow {
        var id: Int64
        var price: String
        var qty: String
        var time: Int64
        var isBuyerMaker: Bool

        var tradeID: Int64 { id }
        var priceText: String { price }
        var quantityText: String { qty }
        var timeMilliseconds: Int64 { time }
    }
}
