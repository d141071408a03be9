import Market

/// What a collector running in the same process tells the dashboard about each symbol it records.
///
/// `pairbook run` fills it from its collector's counters; `pairbook serve` has none and the dashboard reads
/// freshness from the newest stored trade instead.
public struct CollectorView: Sendable, Hashable {
    /// One recorded symbol.
    public struct SymbolState: Sendable, Hashable {
        /// Whether the symbol's stream connection is open.
        public var connected: Bool
        /// Trades received per second, averaged over the collector's last status interval.
        public var tradesPerSecond: Double?

        public init(connected: Bool, tradesPerSecond: Double?) {
            self.connected = connected
            self.tradesPerSecond = tradesPerSecond
        }
    }

    /// The recorded symbols.
    public var symbols: [Symbol: SymbolState]

    public init(symbols: [Symbol: SymbolState]) { self.symbols = symbols }
}
