import Market

/// Ticks on a UTC time axis: instants at round steps (seconds, minutes, hours, days, months) and labels
/// that adapt to the step — `HH:mm:ss`, `HH:mm` (with the date at midnight), `Jul 19`, `Jul 2024`.
public struct TimeTicks: Sendable, Hashable {
    /// Tick instants in ms since the epoch (UTC), ascending.
    public var values: [Int64]
    /// One label per tick.
    public var labels: [String]
    /// The step between ticks, e.g. `5m`.
    public var step: TimeTickLocator.Step
    /// Context shown once under the axis: the date(s) covered and the zone, e.g. `2024-07-19 UTC`.
    public var caption: String
}

/// Chooses the round time step giving at most `maxTicks` ticks over an interval, and labels them in UTC.
///
/// ```swift
/// let t = TimeTickLocator(maxTicks: 8).ticks(start: a, end: b)   // 8 minutes → step 1m, "00:01", "00:02", …
/// ```
public struct TimeTickLocator: Sendable, Hashable {
    /// A calendar-aware step.
    public enum Step: Sendable, Hashable, CustomStringConvertible {
        /// A fixed number of milliseconds (seconds up to days), aligned to the epoch (= to UTC midnight).
        case fixed(Int64)
        /// Whole months, aligned to January.
        case months(Int)
        /// Whole years.
        case years(Int)

        /// `5m`, `1h`, `1mo`, `1y` …
        public var description: String {
            switch self {
            case let .fixed(ms): TimeSpan(milliseconds: ms).description
            case let .months(n): "\(n)mo"
            case let .years(n): "\(n)y"
            }
        }

        /// Approximate length in ms, for choosing.
        var approximateMilliseconds: Int64 {
            switch self {
            case let .fixed(ms): ms
            case let .months(n): Int64(n) * 30 * 86_400_000
            case let .years(n): Int64(n) * 365 * 86_400_000
            }
        }
    }

    /// The steps tried, finest first.
    public static let steps: [Step] = {
        let s: Int64 = 1000, m = 60 * s, h = 60 * m, d = 24 * h
        return [1 * s, 2 * s, 5 * s, 10 * s, 15 * s, 30 * s, 1 * m, 2 * m, 5 * m, 10 * m, 15 * m, 30 * m,
                1 * h, 2 * h, 3 * h, 6 * h, 12 * h, 1 * d, 2 * d, 7 * d, 14 * d].map { Step.fixed($0) }
            + [.months(1), .months(3), .months(6), .years(1), .years(2), .years(5), .years(10)]
    }()

    /// Most ticks wanted (≥ 2).
    public var maxTicks: Int

    /// Creates a locator for at most `maxTicks` ticks (at least 2).
    public init(maxTicks: Int) { self.maxTicks = max(2, maxTicks) }

    /// Ticks within `start…end` (ms since the epoch, UTC) with the finest step that gives at most ``maxTicks``.
    public func ticks(start: Int64, end: Int64) -> TimeTicks {
        ticks(start: start, end: end, from: 0)
    }

    /// Like ``ticks(start:end:)`` but trying only steps at index ≥ `firstStep` of ``steps`` (to coarsen after
    /// labels turned out to overlap).
    public func ticks(start: Int64, end: Int64, from firstStep: Int) -> TimeTicks {
        let steps = Self.steps
        var chosen = steps[steps.count - 1]
        var values: [Int64] = []
        for step in steps.dropFirst(max(0, min(firstStep, steps.count - 1))) {
            guard end > start, (end - start) / step.approximateMilliseconds <= Int64(maxTicks) + 1 else { continue }
            let v = Self.instants(start: start, end: end, step: step)
            if v.count <= maxTicks {
                chosen = step
                values = v
                break
            }
        }
        if values.isEmpty, end > start { values = Self.instants(start: start, end: end, step: chosen) }
        return TimeTicks(values: values, labels: values.map { Self.label($0, step: chosen) }, step: chosen,
                         caption: Self.caption(start: start, end: end, step: chosen))
    }

    /// Index of `step` in ``steps``.
    public static func index(of step: Step) -> Int { steps.firstIndex(of: step) ?? 0 }

    // MARK: - Instants

    static func instants(start: Int64, end: Int64, step: Step) -> [Int64] {
        switch step {
        case let .fixed(ms):
            let weekShift: Int64 = ms % (7 * 86_400_000) == 0 ? 4 * 86_400_000 : 0   // weeks start on Monday
            var t = ceilDiv(start - weekShift, ms) * ms + weekShift
            var out: [Int64] = []
            while t <= end {
                out.append(t)
                t += ms
            }
            return out
        case let .months(n):
            return calendarInstants(start: start, end: end) { c in
                let index = c.year * 12 + (c.month - 1)
                let next = (index / n + ((index % n == 0 && c.day == 1 && c.hour == 0 && c.minute == 0 && c.second == 0
                    && c.millisecond == 0) ? 0 : 1)) * n
                return CivilTime(year: next / 12, month: next % 12 + 1, day: 1)
            } advance: { c in
                let index = c.year * 12 + (c.month - 1) + n
                return CivilTime(year: index / 12, month: index % 12 + 1, day: 1)
            }
        case let .years(n):
            return calendarInstants(start: start, end: end) { c in
                let exact = c.month == 1 && c.day == 1 && c.hour == 0 && c.minute == 0 && c.second == 0 && c.millisecond == 0
                let y = ((c.year + (exact ? 0 : 1)) + n - 1) / n * n
                return CivilTime(year: y, month: 1, day: 1)
            } advance: { c in CivilTime(year: c.year + n, month: 1, day: 1) }
        }
    }

    private static func calendarInstants(start: Int64, end: Int64, first: (CivilTime) -> CivilTime,
                                         advance: (CivilTime) -> CivilTime) -> [Int64] {
        var c = first(Timestamp(milliseconds: start).civil)
        var out: [Int64] = []
        while true {
            let t = Timestamp(c).milliseconds
            if t > end { break }
            if t >= start { out.append(t) }
            c = advance(c)
        }
        return out
    }

    private static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a > 0) ? q + 1 : q
    }

    // MARK: - Labels

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The label of instant `t` for a given step, in UTC.
    public static func label(_ t: Int64, step: Step) -> String {
        let c = Timestamp(milliseconds: t).civil
        let atMidnight = c.hour == 0 && c.minute == 0 && c.second == 0 && c.millisecond == 0
        switch step {
        case let .fixed(ms) where ms < 60_000:
            return atMidnight ? dayLabel(c) : two(c.hour) + ":" + two(c.minute) + ":" + two(c.second)
        case let .fixed(ms) where ms < 86_400_000:
            return atMidnight ? dayLabel(c) : two(c.hour) + ":" + two(c.minute)
        case .fixed:
            return dayLabel(c)
        case .months:
            return c.month == 1 ? String(c.year) : monthNames[c.month - 1]
        case .years:
            return String(c.year)
        }
    }

    /// Caption for the axis: covered dates and the zone.
    static func caption(start: Int64, end: Int64, step: Step) -> String {
        let a = Timestamp(milliseconds: start), b = Timestamp(milliseconds: end)
        switch step {
        case let .fixed(ms) where ms < 86_400_000:
            let da = a.iso8601(.date), db = b.iso8601(.date)
            return da == db ? da + " UTC" : da + " – " + db + " UTC"
        case .fixed:
            let ya = a.civil.year, yb = b.civil.year
            return ya == yb ? "\(ya), UTC" : "\(ya)–\(yb), UTC"
        case .months, .years:
            return "UTC"
        }
    }

    private static func dayLabel(_ c: CivilTime) -> String { monthNames[c.month - 1] + " " + String(c.day) }

    private static func two(_ v: Int) -> String { v < 10 ? "0" + String(v) : String(v) }
}
