import Market

extension Tick {
    /// A trade for tests, every field but the id defaulted: `symbol` BTCUSDT, time `at` (default 2024-07-19T00:00:00Z
    /// plus `id` ms), price 100, quantity 1, the buyer the taker.
    ///
    /// ```swift
    /// let tick = Tick.sample(id: 7, at: t0 + .seconds(1), price: 64_000.5)
    /// ```
    public static func sample(_ symbol: Symbol = "BTCUSDT", id: Int64, at time: Timestamp? = nil, price: Double = 100,
                              quantity: Double = 1, buyerMaker: Bool = false) -> Tick {
        Tick(symbol: symbol, tradeID: id, timestamp: time ?? Timestamp(milliseconds: 1_721_347_200_000 + id), price: price,
             quantity: quantity, isBuyerMaker: buyerMaker)
    }
}
