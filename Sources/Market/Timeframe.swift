/// The width of a bar: `1s`, `1m`, `5m`, `1h`, `1d`, or any `Ns`/`Nm`/`Nh`/`Nd`.
///
/// Bars open at instants aligned to the timeframe in UTC (a 5m bar opens at :00, :05, …;
/// a 1d bar at midnight UTC). Widths must divide a day evenly when under a day, so that
/// alignment is the same every day.
public struct Timeframe: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Width in milliseconds.
    public let milliseconds: Int64

    /// - Precondition: a whole number of seconds, positive.
    public init(milliseconds: Int64) {
        precondition(milliseconds > 0 && milliseconds % 1000 == 0, "timeframe must be whole positive seconds")
        self.milliseconds = milliseconds
    }

    public static let oneSecond = Timeframe(milliseconds: 1000)
    public static let oneMinute = Timeframe(milliseconds: 60_000)
    public static let fiveMinutes = Timeframe(milliseconds: 300_000)
    public static let fifteenMinutes = Timeframe(milliseconds: 900_000)
    public static let oneHour = Timeframe(milliseconds: 3_600_000)
    public static let oneDay = Timeframe(milliseconds: 86_400_000)

    /// The timeframes the collector and importer keep by default: 1s, 1m, 5m.
    public static let defaults: [Timeframe] = [.oneSecond, .oneMinute, .fiveMinutes]

    /// Parses `Ns`, `Nm`, `Nh`, `Nd` (N ≥ 1).
    ///
    /// - Throws: ``MarketError/invalidTimeframe(_:)`` for other units, zero, or a sub-day width that does not divide 24 h.
    public init(parsing text: String) throws {
        let s = text.trimmingSpaces()
        guard let unit = s.last, "smhd".contains(unit), let span = try? TimeSpan(parsing: s),
              span.milliseconds % 1000 == 0
        else { throw MarketError.invalidTimeframe(text) }
        let ms = span.milliseconds
        if ms < 86_400_000 {
            guard 86_400_000 % ms == 0 else { throw MarketError.invalidTimeframe(text) }
        } else {
            guard ms % 86_400_000 == 0 else { throw MarketError.invalidTimeframe(text) }
        }
        self.init(milliseconds: ms)
    }

    /// Parses a comma-separated list such as `1s,1m,5m`, sorted from finest to coarsest, duplicates dropped.
    public static func parseList(_ text: String) throws -> [Timeframe] {
        let list = try text.split(separator: ",").map { try Timeframe(parsing: String($0)) }
        guard !list.isEmpty else { throw MarketError.invalidTimeframe(text) }
        return Array(Set(list)).sorted()
    }

    /// The open time of the bar containing `t` (floor to the timeframe, UTC). O(1).
    ///
    /// Never traps: within one width of `Int64.min` ms, where the floor is not representable, the
    /// earliest representable aligned instant (the one after `t`) is returned. Times from outside
    /// are checked against ``Timestamp/plausibleMarketTimes(now:)`` before they get here.
    @inlinable public func barOpen(containing t: Timestamp) -> Timestamp {
        let ms = t.milliseconds
        var r = ms % milliseconds
        if r < 0 { r += milliseconds }
        let (open, overflow) = ms.subtractingReportingOverflow(r)
        return Timestamp(milliseconds: overflow ? ms + (milliseconds - r) : open)
    }

    /// The width as a span.
    public var span: TimeSpan { TimeSpan(milliseconds: milliseconds) }

    /// Whether bars of `self` can be built exactly from bars of `finer`.
    public func isMultiple(of finer: Timeframe) -> Bool { milliseconds % finer.milliseconds == 0 && self != finer }

    /// `1s`, `1m`, `5m`, `1h`, `1d` — the Binance kline interval spelling.
    public var description: String { TimeSpan(milliseconds: milliseconds).description }

    public static func < (lhs: Timeframe, rhs: Timeframe) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public init(from decoder: any Decoder) throws {
        self = try decoder.singleValueContainer().decodeParsed { try Self(parsing: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
