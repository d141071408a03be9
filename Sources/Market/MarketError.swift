/// A value given by a user or a file that is not a valid market value.
public enum MarketError: Error, CustomStringConvertible, Equatable {
    case invalidSymbol(String)
    case invalidPair(String)
    case invalidTimeframe(String)
    case invalidDuration(String)
    case invalidTimestamp(String)
    case emptyRange(start: Timestamp, end: Timestamp)

    public var description: String {
        switch self {
        case .invalidSymbol(let s):
            return "invalid symbol '\(s)': expected 2–32 letters and digits, e.g. BTCUSDT"
        case .invalidPair(let s):
            return "invalid pair '\(s)': expected two different symbols as BASE/QUOTE, e.g. BTCUSDT/ETHUSDT"
        case .invalidTimeframe(let s):
            return "invalid timeframe '\(s)': expected Ns, Nm, Nh or Nd dividing a day evenly, e.g. 1s, 1m, 5m, 1h, 1d"
        case .invalidDuration(let s):
            return "invalid duration '\(s)': expected a positive number and a unit (ms, s, m, h, d, w), e.g. 24h"
        case .invalidTimestamp(let s):
            return "invalid time '\(s)': expected ISO-8601 UTC such as 2024-01-01 or 2024-01-01T12:00:00Z, or epoch milliseconds"
        case .emptyRange(let start, let end):
            return "empty time range: \(end.iso8601(.seconds)) is not after \(start.iso8601(.seconds))"
        }
    }
}
