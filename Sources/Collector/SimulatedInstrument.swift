import Market

/// One simulated instrument: its symbol, starting price, price tick, lot size and trade intensity.
public struct SimulatedInstrument: Sendable, Hashable {
    public var symbol: Symbol
    /// Price at the start of the simulated range, in quote currency.
    public var startPrice: Double
    /// Price increment (Binance USD-M: 0.1 for BTCUSDT, 0.01 for ETHUSDT).
    public var tickSize: Double
    /// Quantity increment and minimum (0.001 on both).
    public var lotSize: Double
    /// Mean number of trades per second (Poisson arrivals).
    public var tradesPerSecond: Double
    /// Mean trade size in base currency (exponential, rounded to the lot, at least one lot).
    public var meanQuantity: Double
    /// Trade id of the first simulated trade.
    public var firstTradeID: Int64

    public init(symbol: Symbol, startPrice: Double, tickSize: Double, lotSize: Double, tradesPerSecond: Double,
                meanQuantity: Double, firstTradeID: Int64) {
        self.symbol = symbol
        self.startPrice = startPrice
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.tradesPerSecond = tradesPerSecond
        self.meanQuantity = meanQuantity
        self.firstTradeID = firstTradeID
    }

    /// BTCUSDT near 60,000: tick 0.1, lot 0.001, ~6 trades/s.
    public static let btcusdt = SimulatedInstrument(
        symbol: "BTCUSDT", startPrice: 60_000, tickSize: 0.1, lotSize: 0.001, tradesPerSecond: 6,
        meanQuantity: 0.05, firstTradeID: 5_000_000_000)

    /// ETHUSDT near 3,000: tick 0.01, lot 0.001, ~5.5 trades/s.
    public static let ethusdt = SimulatedInstrument(
        symbol: "ETHUSDT", startPrice: 3_000, tickSize: 0.01, lotSize: 0.001, tradesPerSecond: 5.5,
        meanQuantity: 0.8, firstTradeID: 4_000_000_000)
}
