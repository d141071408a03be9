// MARK: - Civil calendar (proleptic Gregorian, UTC)

/// A calendar date and time of day in UTC, split into fields.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
    }

    /// Day of the week, 0 = Sunday … 6 = Saturday.
    public var weekday: Int {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        return Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday (4)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm). O(1).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Number of days in a month of a year (leap years included).
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        default:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        }
    }
}

extension Timestamp {
    /// Creates a timestamp from UTC calendar fields.
    public init(_ civil: CivilTime) {
        let days = CivilTime.daysFromCivil(year: civil.year, month: civil.month, day: civil.day)
        let seconds = days * 86_400 + Int64(civil.hour * 3600 + civil.minute * 60 + civil.second)
        self.init(milliseconds: seconds * 1000 + Int64(civil.millisecond))
    }

    /// The UTC calendar fields of this instant.
    public var civil: CivilTime {
        let ms = milliseconds
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let secondOfDay = Int(msOfDay / 1000)
        return CivilTime(
            year: Int(y), month: Int(m), day: Int(d),
            hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            millisecond: Int(msOfDay % 1000))
    }

    /// How much of the time of day an ISO-8601 rendering shows.
    public enum Precision: Sendable {
        /// `2024-07-19`
        case date
        /// `2024-07-19T00:00:02Z`
        case seconds
        /// `2024-07-19T00:00:02.813Z`
        case milliseconds
    }

    /// ISO-8601 in UTC, e.g. `2024-07-19T00:00:02.813Z`. O(1), no allocation beyond the result.
    public func iso8601(_ precision: Precision = .milliseconds) -> String {
        let c = civil
        var out = ""
        out.reserveCapacity(24)
        appendPadded(c.year, width: 4, to: &out)
        out.append("-")
        appendPadded(c.month, width: 2, to: &out)
        out.append("-")
        appendPadded(c.day, width: 2, to: &out)
        if precision == .date { return out }
        out.append("T")
        appendPadded(c.hour, width: 2, to: &out)
        out.append(":")
        appendPadded(c.minute, width: 2, to: &out)
        out.append(":")
        appendPadded(c.second, width: 2, to: &out)
        if precision == .milliseconds {
            out.append(".")
            appendPadded(c.millisecond, width: 3, to: &out)
        }
        out.append("Z")
        return out
    }

    /// A compact UTC stamp safe for file and folder names, e.g. `20240719T000002Z`.
    public var compactUTC: String {
        let c = civil
        var out = ""
        appendPadded(c.year, width: 4, to: &out)
        appendPadded(c.month, width: 2, to: &out)
        appendPadded(c.day, width: 2, to: &out)
        out.append("T")
        appendPadded(c.hour, width: 2, to: &out)
        appendPadded(c.minute, width: 2, to: &out)
        appendPadded(c.second, width: 2, to: &out)
        out.append("Z")
        return out
    }
}

@inline(__always)
private func appendPadded(_ value: Int, width: Int, to out: inout String) {
    let digits = String(value)
    if digits.count < width {
        out.append(String(repeating: "0", count: width - digits.count))
    }
    out.append(digits)
}
