/// A length of time in milliseconds, written by users as `<n><unit>`: `500ms`, `30s`, `5m`, `24h`, `7d`, `2w`.
///
/// Used for lookbacks, watchdog timeouts and report windows. Timeframes of bars are ``Timeframe``.
public struct TimeSpan: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The length in milliseconds (may be negative for offsets).
    public var milliseconds: Int64

    @inlinable public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func seconds(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 1000) }
    public static func minutes(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 60_000) }
    public static func hours(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 3_600_000) }
    public static func days(_ n: Int64) -> TimeSpan { TimeSpan(milliseconds: n * 86_400_000) }

    @inlinable public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Seconds as a floating-point number.
    public var seconds: Double { Double(milliseconds) / 1000 }

    /// Parses `<positive integer><unit>` with unit `ms`, `s`, `m`, `h`, `d` or `w`.
    ///
    /// - Throws: ``MarketError/invalidDuration(_:)`` for anything else (including zero).
    public init(parsing text: String) throws {
        let s = text.trimmingSpaces()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            let digits = s.dropLast(suffix.count)
            // "ms" also ends in "s": only accept a pure number before the unit.
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(digits), n > 0 else { continue }
            let (product, overflow) = n.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw MarketError.invalidDuration(text) }
            self.init(milliseconds: product)
            return
        }
        throw MarketError.invalidDuration(text)
    }

    /// The shortest exact form, e.g. `90s` → `90s`, `3600000 ms` → `1h`.
    public var description: String {
        let ms = milliseconds
        if ms != 0 {
            for (suffix, factor) in [("w", Int64(604_800_000)), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
            where ms % factor == 0 {
                return "\(ms / factor)\(suffix)"
            }
        }
        return "\(ms)ms"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if (try? container.decode(String.self)) != nil {
            self = try container.decodeParsed { try Self(parsing: $0) }
        } else {
            self.init(milliseconds: try container.decode(Int64.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
