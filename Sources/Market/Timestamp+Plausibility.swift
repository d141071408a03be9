extension Timestamp {
    /// 2017-01-01T00:00:00Z: no Binance market data (spot or futures) is older.
    public static let earliestMarketData = Timestamp(milliseconds: 1_483_228_800_000)

    /// How far ahead of the local clock a time may be (exchange clock skew, a dump of today).
    public static let allowedClockLead = TimeSpan.days(1)

    /// The times a trade or bar can plausibly carry when the clock reads `now`: from
    /// ``earliestMarketData`` to `now` + ``allowedClockLead``, both included, UTC.
    ///
    /// Never traps: an absurd `now` gives a range saturated at `Int64.max` ms, and a clock before 2017 a
    /// range holding ``earliestMarketData`` only.
    public static func plausibleMarketTimes(now: Timestamp) -> ClosedRange<Timestamp> {
        let (latest, overflow) = now.milliseconds.addingReportingOverflow(allowedClockLead.milliseconds)
        let upper = Timestamp(milliseconds: overflow ? .max : latest)
        return earliestMarketData...max(earliestMarketData, upper)
    }
}
