import Market

/// A five-field cron schedule in UTC (`minute hour day-of-month month day-of-week`), e.g. `5 * * * *`.
///
/// Fields accept `*`, numbers, lists `1,15`, ranges `1-5` and steps `*/15`, `0-30/10`. Day-of-week 0 or 7 is Sunday.
/// When both day fields are restricted, a day matches if either does (as in Vixie cron).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    /// Parses a cron expression; also accepts `@hourly` and `@daily`.
    ///
    /// - Returns: nil when the expression is malformed.
    public init?(_ text: String) {
        let trimmed = text.trimmingWhitespace()
        let expanded = switch trimmed {
        case "@hourly": "0 * * * *"
        case "@daily", "@midnight": "0 0 * * *"
        default: trimmed
        }
        let fields = expanded.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5,
              let m = Self.field(fields[0], 0...59), let h = Self.field(fields[1], 0...23), let d = Self.field(fields[2], 1...31),
              let mo = Self.field(fields[3], 1...12), var w = Self.field(fields[4], 0...7)
        else { return nil }
        if w.contains(7) { w.insert(0); w.remove(7) }
        expression = trimmed
        minutes = m
        hours = h
        days = d
        months = mo
        weekdays = w
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    public var description: String { expression }

    private static func field(_ text: String, _ range: ClosedRange<Int>) -> Set<Int>? {
        var result = Set<Int>()
        for part in text.split(separator: ",") {
            let stepParts = part.split(separator: "/")
            guard stepParts.count <= 2 else { return nil }
            let step = stepParts.count == 2 ? Int(stepParts[1]) : 1
            guard let step, step > 0 else { return nil }
            var lo = range.lowerBound, hi = range.upperBound
            if stepParts[0] != "*" {
                let bounds = stepParts[0].split(separator: "-")
                guard bounds.count <= 2, let a = Int(bounds[0]), range.contains(a) else { return nil }
                lo = a
                hi = a
                if bounds.count == 2 {
                    guard let b = Int(bounds[1]), range.contains(b), b >= a else { return nil }
                    hi = b
                } else if stepParts.count == 2 {
                    hi = range.upperBound
                }
            }
            result.formUnion(stride(from: lo, through: hi, by: step))
        }
        return result.isEmpty ? nil : result
    }

    /// Whether the minute starting at `t` (UTC) is a slot of the schedule.
    public func matches(_ t: Timestamp) -> Bool {
        let c = t.civil
        guard minutes.contains(c.minute), hours.contains(c.hour), months.contains(c.month) else { return false }
        let dayOK = days.contains(c.day), weekdayOK = weekdays.contains(c.weekday)
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return dayOK || weekdayOK
        case (true, false): return dayOK
        case (false, true): return weekdayOK
        case (false, false): return true
        }
    }

    /// The latest slot at or before `t`, searching back at most 366 days. O(minutes searched).
    public func slot(atOrBefore t: Timestamp) -> Timestamp? {
        var minute = Timeframe.oneMinute.barOpen(containing: t)
        for _ in 0..<(366 * 1440) {
            if matches(minute) { return minute }
            minute = minute - .minutes(1)
        }
        return nil
    }
}
