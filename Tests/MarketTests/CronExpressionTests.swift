@testable import Market
import PairbookTestSupport
import Testing

private func ts(_ text: String) -> Timestamp {
    do { return try Timestamp(parsing: text) } catch { preconditionFailure("bad test timestamp \(text)") }
}

struct CronExpressionTests {
    // MARK: - next(after:)

    @Test(
        "next slot after a time, in UTC",
        arguments: [
            ("5 * * * *", "2024-02-29T10:05:00Z", "2024-02-29T11:05:00Z"),
            ("5 * * * *", "2024-02-29T10:04:59.999Z", "2024-02-29T10:05:00Z"),
            ("*/15 * * * *", "2024-01-01T10:14:59.999Z", "2024-01-01T10:15:00Z"),
            ("*/15 * * * *", "2024-01-01T23:45:00Z", "2024-01-02T00:00:00Z"),
            // leap days: the next Feb 29 is four years on, and 2100 is not a leap year
            ("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2024-02-28T23:59:00Z", "2024-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2096-02-29T00:00:00Z", "2104-02-29T00:00:00Z"),
            // month ends: the 31st skips 30-day months and February
            ("0 0 31 * *", "2024-01-31T00:00:00Z", "2024-03-31T00:00:00Z"),
            ("0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"),
            ("30 23 30 * *", "2023-01-31T00:00:00Z", "2023-03-30T23:30:00Z"),
            ("59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"),
            // macros
            ("@hourly", "2024-01-01T10:00:00Z", "2024-01-01T11:00:00Z"),
            ("@daily", "2024-02-28T12:00:00Z", "2024-02-29T00:00:00Z"),
            ("@weekly", "2024-01-03T00:00:00Z", "2024-01-07T00:00:00Z"),  // Wednesday → Sunday
            ("@monthly", "2024-01-31T12:00:00Z", "2024-02-01T00:00:00Z"),
            ("@yearly", "2023-12-31T23:59:59.999Z", "2024-01-01T00:00:00Z"),
            ("@annually", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
            // day of week: 7 and 0 are Sunday, names, ranges with steps
            ("0 12 * * 7", "2024-01-03T00:00:00Z", "2024-01-07T12:00:00Z"),
            ("0 12 * * 0", "2024-01-03T00:00:00Z", "2024-01-07T12:00:00Z"),
            ("0 12 * * sun", "2024-01-03T00:00:00Z", "2024-01-07T12:00:00Z"),
            ("0 9-17/4 * * MON-FRI", "2024-01-05T17:00:00Z", "2024-01-08T09:00:00Z"),
            ("0 9-17/4 * * MON-FRI", "2024-01-08T09:00:00Z", "2024-01-08T13:00:00Z"),
            ("0 0 * * 5-7", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z"),
            // Vixie: both day fields restricted → either matches (the 13th, or a Friday)
            ("0 0 13 * FRI", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z"),
            ("0 0 13 * FRI", "2024-01-12T00:00:00Z", "2024-01-13T00:00:00Z"),
            // …but a day field starting with '*' does not restrict: both must match
            ("0 0 */2 * *", "2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z"),
            ("0 0 */10 * MON", "2024-01-01T00:00:00Z", "2024-03-11T00:00:00Z"),
            ("0 0 1 * */3", "2024-01-01T00:00:00Z", "2024-05-01T00:00:00Z"),
            // months by name, lists, `a/n`
            ("0 0 1 jan,Jul *", "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"),
            ("10/20 * * * *", "2024-01-01T00:10:00Z", "2024-01-01T00:30:00Z"),
            ("0 0 1 NOV-DEC/1 *", "2024-12-01T00:00:00Z", "2025-11-01T00:00:00Z"),
            // `7/4` is Sunday; it parsed to no day at all and next(after:) trapped (found by Fuzz/fuzz-cron)
            ("5 7 * * 7/4", "2024-01-01T00:00:00Z", "2024-01-07T07:05:00Z"),
        ])
    func nextSlot(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(parsing: expression)
        #expect(cron.next(after: ts(after)) == ts(expected))
    }

    @Test("next slot of 1 2 * * * before the epoch is a whole UTC minute")
    func nextBeforeEpoch() throws {
        let cron = try CronExpression(parsing: "1 2 * * *")
        #expect(cron.next(after: ts("1969-12-31T23:00:00.500Z")) == ts("1970-01-01T02:01:00Z"))
        #expect(cron.previous(before: ts("1970-01-01T00:00:00Z")) == ts("1969-12-31T02:01:00Z"))
    }

    @Test(
        "previous slot before a time",
        arguments: [
            ("5 * * * *", "2024-02-29T11:05:00Z", "2024-02-29T10:05:00Z"),
            ("5 * * * *", "2024-02-29T11:05:00.001Z", "2024-02-29T11:05:00Z"),
            ("0 0 29 2 *", "2027-01-01T00:00:00Z", "2024-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2104-01-01T00:00:00Z", "2096-02-29T00:00:00Z"),
            ("0 0 31 * *", "2024-05-01T00:00:00Z", "2024-03-31T00:00:00Z"),
            ("0 12 * * 7", "2024-01-07T12:00:00Z", "2023-12-31T12:00:00Z"),
            ("@monthly", "2024-03-01T00:00:00Z", "2024-02-01T00:00:00Z"),
            ("0 9-17/4 * * MON-FRI", "2024-01-08T09:00:00Z", "2024-01-05T17:00:00Z"),
        ])
    func previousSlot(expression: String, before: String, expected: String) throws {
        let cron = try CronExpression(parsing: expression)
        #expect(cron.previous(before: ts(before)) == ts(expected))
    }

    @Test(
        "next and previous agree with a minute-by-minute search",
        arguments: ["*/7 3-5,22 * * *", "0 0 13 * FRI", "15 */6 */3 * 1-5", "0 0 28-31 * *", "@weekly", "30 1 1,15 2,3 *"])
    func agreesWithBruteForce(expression: String) throws {
        let cron = try CronExpression(parsing: expression)
        var generator = SplitMix64(seed: 42)
        for _ in 0..<40 {
            // Any millisecond in 2023–2025.
            let start = Timestamp(milliseconds: 1_672_531_200_000 + Int64(generator.next() % 94_608_000_000))
            let next = cron.next(after: start)
            #expect(next > start)
            #expect(cron.matches(next))
            #expect(cron.previous(before: next) <= start)
            // No matching minute strictly between start and next (checked over at most 40 days).
            var minute = Timestamp(milliseconds: (start.milliseconds / 60_000 + 1) * 60_000)
            var steps = 0
            while minute < next, steps < 57_600 {
                #expect(!cron.matches(minute), "\(expression) matches \(minute) before \(next)")
                minute = minute + .minutes(1)
                steps += 1
            }
        }
    }

    @Test("repeated next() from each slot stays on whole minutes without drift")
    func noDrift() throws {
        let cron = try CronExpression(parsing: "*/5 * * * *")
        var slot = ts("2024-02-28T23:50:00Z")
        for _ in 0..<(12 * 24 * 3) { slot = cron.next(after: slot) }
        #expect(slot == ts("2024-03-02T23:50:00Z"))
    }

    // MARK: - Errors

    @Test(
        "parse errors name the field and what was expected",
        arguments: [
            ("61 * * * *", "cron \"61 * * * *\": minute field \"61\": expected a minute 0-59"),
            ("* 24 * * *", "cron \"* 24 * * *\": hour field \"24\": expected an hour 0-23"),
            ("* * 0 * *", "cron \"* * 0 * *\": day-of-month field \"0\": expected a day of the month 1-31"),
            ("* * * FOO *", "cron \"* * * FOO *\": month field \"FOO\": expected a month 1-12 or JAN-DEC"),
            ("* * * * 8", "cron \"* * * * 8\": day-of-week field \"8\": expected a day of the week 0-7 or SUN-SAT"),
            ("*/0 * * * *", "cron \"*/0 * * * *\": minute field \"*/0\": expected a positive step after '/', found '0'"),
            // Found while writing the cron fuzz target (Fuzz/fuzz-cron): the step overflowed Int and trapped.
            ("5/9223372036854775807 * * * *",
             "cron \"5/9223372036854775807 * * * *\": minute field \"5/9223372036854775807\": expected a step of at most 60 after '/', found '9223372036854775807'"),
            ("* * * * MON/9", "cron \"* * * * MON/9\": day-of-week field \"MON/9\": expected a step of at most 8 after '/', found '9'"),
            ("5-1 * * * *", "cron \"5-1 * * * *\": minute field \"5-1\": expected a range whose start 5 is not after its end 1"),
            ("1,,2 * * * *", "cron \"1,,2 * * * *\": minute field \"1,,2\": expected a minute 0-59, not an empty list item"),
            ("* * * *", "cron \"* * * *\": expected 5 fields (minute hour day-of-month month day-of-week) or a macro like @daily, found 4"),
            ("@fortnightly", "cron \"@fortnightly\": unknown macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"),
            ("0 0 30 2 *", "cron \"0 0 30 2 *\": never fires: no selected month has day 30"),
            ("0 0 31 4,6,9 *", "cron \"0 0 31 4,6,9 *\": never fires: no selected month has day 31"),
        ])
    func parseErrors(expression: String, message: String) {
        #expect(throws: CronError.self) { try CronExpression(parsing: expression) }
        do {
            _ = try CronExpression(parsing: expression)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("Feb 30 with a restricted day of week is valid (Vixie OR) and fires on that weekday")
    func impossibleDayWithWeekday() throws {
        let cron = try CronExpression(parsing: "0 0 30 2 MON")
        #expect(cron.next(after: ts("2024-02-01T00:00:00Z")) == ts("2024-02-05T00:00:00Z"))
    }

    @Test("whitespace is normalised and the source kept")
    func source() throws {
        let cron = try CronExpression(parsing: "  5\t*  * * *  ")
        #expect(cron.description == "5 * * * *")
        let upper = try CronExpression(parsing: "@DAILY")
        #expect(upper.next(after: ts("2024-01-01T05:00:00Z")) == ts("2024-01-02T00:00:00Z"))
    }
}
