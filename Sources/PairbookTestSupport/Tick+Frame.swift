import Market

extension Tick {
    /// This trade as Binance USD-M sends it on a combined `trade` stream (a MARKET trade; event time = trade time),
    /// for ``FakeBinanceServer`` scripts.
    ///
    /// ```swift
    /// let steps = [FakeBinanceServer.Step.waitForClients(1)] + ticks.map { .frame($0.tradeFrame) }
    /// ```
    public var tradeFrame: String {
        let time = timestamp.milliseconds
        return #"{"stream":"\#(symbol.streamName)@trade","data":{"e":"trade","E":\#(time),"T":\#(time),"s":"\#(symbol.name)","#
            + #""t":\#(tradeID),"p":"\#(price)","q":"\#(quantity)","X":"MARKET","m":\#(isBuyerMaker)}}"#
    }
}
