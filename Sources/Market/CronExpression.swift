/// A standard five-field cron schedule, evaluated in UTC: `minute hour day-of-month month day-of-week`.
///
/// Each field is `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (= `a-max/n`), or a comma-separated list
/// of those. Months accept `JAN`…`DEC` and days of the week `SUN`…`SAT` (any case); day-of-week `0` and `7` are both
/// Sunday. The macros `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for
/// their usual expansions.
///
/// Day matching follows Vixie cron: when both day-of-month and day-of-week are restricted (neither field starts with
/// `*`), a day matches if **either** matches; otherwise both must match. So `0 0 1,15 * MON` runs on the 1st, the 15th
/// and every Monday, while `0 0 */2 * *` runs on odd days of the month.
///
/// Expressions that can never fire (`0 0 30 2 *`) are rejected when parsed, so ``next(after:)`` always has an answer.
///
/// ```swift
/// let cron = try CronExpression(parsing: "5 * * * *")        // five past every hour, UTC
/// let slot = cron.next(after: try Timestamp(parsing: "2024-02-29T10:05:00Z"))   // 2024-02-29T11:05:00Z
/// ```
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text the expression was parsed from, trimmed.
    public let source: String

    let minutes: CronFieldSet
    let hours: CronFieldSet
    let daysOfMonth: CronFieldSet
    let months: CronFieldSet
    /// 0 = Sunday … 6 = Saturday (a `7` in the source is folded into 0).
    let daysOfWeek: CronFieldSet
    /// Vixie semantics: a day field whose text starts with `*` does not restrict on its own.
    let dayOfMonthIsStar: Bool
    let dayOfWeekIsStar: Bool

    public var description: String { source }

    // MARK: - Parsing

    /// Parses a cron expression.
    ///
    /// - Parameter text: five whitespace-separated fields, or one of the `@` macros.
    /// - Throws: ``CronError`` naming the field, the offending text and what was expected.
    public init(parsing text: String) throws(CronError) {
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        let expanded: String
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw CronError.unknownMacro(trimmed)
            }
            expanded = macro
        } else {
            expanded = trimmed
        }
        let fields = expanded.split(separator: " ").map(String.init)
        guard fields.count == 5 else {
            throw CronError.wrongFieldCount(expression: trimmed, found: fields.count)
        }
        self.source = trimmed
        self.minutes = try CronField.minute.parse(fields[0], expression: trimmed)
        self.hours = try CronField.hour.parse(fields[1], expression: trimmed)
        self.daysOfMonth = try CronField.dayOfMonth.parse(fields[2], expression: trimmed)
        self.months = try CronField.month.parse(fields[3], expression: trimmed)
        var dow = try CronField.dayOfWeek.parse(fields[4], expression: trimmed)
        if dow.contains(7) {
            dow.remove(7)
            dow.insert(0)
        }
        self.daysOfWeek = dow
        self.dayOfMonthIsStar = fields[2].hasPrefix("*")
        self.dayOfWeekIsStar = fields[4].hasPrefix("*")

        // With AND semantics the day-of-month set must fit in some selected month (February counts 29 days).
        if dayOfMonthIsStar || dayOfWeekIsStar {
            let possible = months.values.contains { month in
                let longest = month == 2 ? 29 : CivilTime.daysInMonth(year: 2001, month: month)
                return daysOfMonth.values.contains { $0 <= longest }
            }
            guard possible else {
                throw CronError.neverFires(
                    expression: trimmed, reason: "no selected month has day \(fields[2])")
            }
        }
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    // MARK: - Matching

    /// Whether the schedule fires at this instant (a whole UTC minute: seconds and milliseconds must be zero).
    public func matches(_ time: Timestamp) -> Bool {
        guard time.milliseconds % 60_000 == 0 else { return false }
        let c = time.civil
        return minutes.contains(c.minute) && hours.contains(c.hour) && months.contains(c.month)
            && dayMatches(year: c.year, month: c.month, day: c.day)
    }

    func dayMatches(year: Int, month: Int, day: Int) -> Bool {
        let domHit = daysOfMonth.contains(day)
        let dowHit = daysOfWeek.contains(CivilTime(year: year, month: month, day: day).weekday)
        if dayOfMonthIsStar || dayOfWeekIsStar {
            return domHit && dowHit
        }
        return domHit || dowHit
    }

    // MARK: - Next and previous slot

    /// The first slot strictly after `time`, in UTC.
    ///
    /// Computed on the civil calendar (month lengths and leap days included), so repeated calls never drift: a slot
    /// is always a whole UTC minute. O(days searched); a few dozen steps for usual schedules, at most a few thousand
    /// for `0 0 29 2 *` across a century leap-year gap.
    public func next(after time: Timestamp) -> Timestamp {
        // Start at the first whole minute after `time`.
        let floored = time.milliseconds - Self.floorMod(time.milliseconds, 60_000)
        var c = Timestamp(milliseconds: floored + 60_000).civil
        c.second = 0
        c.millisecond = 0
        let limitYear = c.year + 401  // the Gregorian calendar (and its weekdays) repeats every 400 years
        while c.year <= limitYear {
            guard months.contains(c.month) else {
                if let month = months.first(atOrAfter: c.month + 1) {
                    c = CivilTime(year: c.year, month: month, day: 1)
                } else {
                    c = CivilTime(year: c.year + 1, month: months.values[0], day: 1)
                }
                continue
            }
            guard dayMatches(year: c.year, month: c.month, day: c.day) else {
                c = Self.startOfNextDay(c)
                continue
            }
            guard let hour = hours.first(atOrAfter: c.hour) else {
                c = Self.startOfNextDay(c)
                continue
            }
            if hour != c.hour {
                c.hour = hour
                c.minute = 0
            }
            guard let minute = minutes.first(atOrAfter: c.minute) else {
                if let nextHour = hours.first(atOrAfter: c.hour + 1) {
                    c.hour = nextHour
                    c.minute = 0
                } else {
                    c = Self.startOfNextDay(c)
                }
                continue
            }
            c.minute = minute
            return Timestamp(c)
        }
        preconditionFailure("cron \(source) has no slot within 400 years; parsing should have rejected it")
    }

    /// The last slot strictly before `time`, in UTC. The mirror image of ``next(after:)``, same cost.
    ///
    /// Used after downtime: the most recent slot that should have run is `previous(before: now + 1 ms)`.
    public func previous(before time: Timestamp) -> Timestamp {
        // Start at the last whole minute strictly before `time`.
        let justBefore = time.milliseconds - 1
        var c = Timestamp(milliseconds: justBefore - Self.floorMod(justBefore, 60_000)).civil
        let limitYear = c.year - 401
        while c.year >= limitYear {
            guard months.contains(c.month) else {
                if let month = months.last(atOrBefore: c.month - 1) {
                    c = Self.endOfDay(year: c.year, month: month, day: CivilTime.daysInMonth(year: c.year, month: month))
                } else {
                    let month = months.values[months.values.count - 1]
                    c = Self.endOfDay(year: c.year - 1, month: month, day: CivilTime.daysInMonth(year: c.year - 1, month: month))
                }
                continue
            }
            guard dayMatches(year: c.year, month: c.month, day: c.day) else {
                c = Self.endOfPreviousDay(c)
                continue
            }
            guard let hour = hours.last(atOrBefore: c.hour) else {
                c = Self.endOfPreviousDay(c)
                continue
            }
            if hour != c.hour {
                c.hour = hour
                c.minute = 59
            }
            guard let minute = minutes.last(atOrBefore: c.minute) else {
                if let previousHour = hours.last(atOrBefore: c.hour - 1) {
                    c.hour = previousHour
                    c.minute = 59
                } else {
                    c = Self.endOfPreviousDay(c)
                }
                continue
            }
            c.minute = minute
            return Timestamp(c)
        }
        preconditionFailure("cron \(source) has no slot within 400 years; parsing should have rejected it")
    }

    // MARK: - Calendar steps

    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }

    private static func startOfNextDay(_ c: CivilTime) -> CivilTime {
        if c.day < CivilTime.daysInMonth(year: c.year, month: c.month) {
            return CivilTime(year: c.year, month: c.month, day: c.day + 1)
        }
        if c.month < 12 {
            return CivilTime(year: c.year, month: c.month + 1, day: 1)
        }
        return CivilTime(year: c.year + 1, month: 1, day: 1)
    }

    private static func endOfDay(year: Int, month: Int, day: Int) -> CivilTime {
        CivilTime(year: year, month: month, day: day, hour: 23, minute: 59)
    }

    private static func endOfPreviousDay(_ c: CivilTime) -> CivilTime {
        if c.day > 1 {
            return endOfDay(year: c.year, month: c.month, day: c.day - 1)
        }
        if c.month > 1 {
            return endOfDay(year: c.year, month: c.month - 1, day: CivilTime.daysInMonth(year: c.year, month: c.month - 1))
        }
        return endOfDay(year: c.year - 1, month: 12, day: 31)
    }
}
