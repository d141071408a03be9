/// A half-open interval of time `[start, end)` in UTC milliseconds.
public struct TimeRange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first instant inside the range.
    public var start: Timestamp
    /// The first instant after the range.
    public var end: Timestamp

    /// Creates `[start, end)`.
    ///
    /// - Precondition: `start <= end` (a programmer error otherwise; user input goes through ``init(validating:_:)``).
    public init(start: Timestamp, end: Timestamp) {
        precondition(start <= end, "TimeRange start after end")
        self.start = start
        self.end = end
    }

    /// Creates `[start, end)` from user input.
    ///
    /// - Throws: ``MarketError/emptyRange(start:end:)`` when `end` is not after `start`.
    public init(validating start: Timestamp, _ end: Timestamp) throws {
        guard start < end else { throw MarketError.emptyRange(start: start, end: end) }
        self.init(start: start, end: end)
    }

    /// The `lookback` that ends at `end`.
    public init(lookback: TimeSpan, endingAt end: Timestamp) {
        self.init(start: end - lookback, end: end)
    }

    /// Every timestamp, from the earliest to the latest that can be stored.
    public static let all = TimeRange(start: Timestamp(milliseconds: Int64.min / 2), end: Timestamp(milliseconds: Int64.max / 2))

    /// The length of the range.
    public var span: TimeSpan { end - start }

    /// Whether `t` lies in `[start, end)`.
    @inlinable public func contains(_ t: Timestamp) -> Bool { t >= start && t < end }

    public var description: String { "\(start.iso8601(.seconds)) – \(end.iso8601(.seconds))" }
}
