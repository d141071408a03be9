/// One trade of one symbol, as reported by the exchange.
public struct Tick: Sendable, Hashable, Codable {
    /// The traded instrument.
    public var symbol: Symbol
    /// The exchange's trade id (for aggregate trades, the aggregate id); increases by one per trade.
    public var tradeID: Int64
    /// Trade time (exchange clock), UTC ms.
    public var timestamp: Timestamp
    /// Price in quote currency.
    public var price: Double
    /// Quantity in base currency.
    public var quantity: Double
    /// True when the buyer was the maker, i.e. the aggressor sold.
    public var isBuyerMaker: Bool

    public init(symbol: Symbol, tradeID: Int64, timestamp: Timestamp, price: Double, quantity: Double, isBuyerMaker: Bool) {
        self.symbol = symbol
        self.tradeID = tradeID
        self.timestamp = timestamp
        self.price = price
        self.quantity = quantity
        self.isBuyerMaker = isBuyerMaker
    }
}

extension Tick {
    /// The trade ids (and aggregate ids) accepted from Binance: 0 … 2⁵³ − 1.
    ///
    /// Binance's ids are about 10¹⁰ (2024); 2⁵³ is where JSON numbers stop being exact, a million times further.
    /// A larger id (such as 2⁶³ − 1) is corrupt input and would make every later trade look like a duplicate.
    public static let plausibleTradeIDs: ClosedRange<Int64> = 0...((1 << 53) - 1)
}
