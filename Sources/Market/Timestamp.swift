/// An instant in time: integer milliseconds since the Unix epoch, UTC.
///
/// Every timestamp that pairbook stores, computes with or prints is a `Timestamp`.
/// Formatting and parsing are ISO-8601 in UTC and need no `DateFormatter`, so they are
/// deterministic and fast enough for per-row CSV output.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a timestamp from milliseconds since the Unix epoch (UTC).
    @inlinable public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates a timestamp from seconds since the Unix epoch (UTC).
    @inlinable public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    @inlinable public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// The timestamp moved by a span (which may be negative).
    @inlinable public static func + (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds + rhs.milliseconds)
    }

    /// The timestamp moved back by a span.
    @inlinable public static func - (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds - rhs.milliseconds)
    }

    /// The span from `rhs` to `lhs`.
    @inlinable public static func - (lhs: Timestamp, rhs: Timestamp) -> TimeSpan {
        TimeSpan(milliseconds: lhs.milliseconds - rhs.milliseconds)
    }

    /// ISO-8601 in UTC with milliseconds, e.g. `2024-07-19T00:00:02.813Z`.
    public var description: String { iso8601() }

    public init(from decoder: any Decoder) throws {
        self.milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}
