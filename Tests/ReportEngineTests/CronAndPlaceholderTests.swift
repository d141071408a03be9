import Alerts
import Market
import ReportEngine
import Testing

@Suite("Report run times from cron schedules")
struct CronScheduleTests {
    private func t(_ text: String) throws -> Timestamp { try Timestamp(parsing: text) }

    @Test("the latest slot at or before a time", arguments: [
        ("5 * * * *", "2024-01-01T10:04:59Z", "2024-01-01T09:05:00Z"),
        ("5 * * * *", "2024-01-01T10:05:00Z", "2024-01-01T10:05:00Z"),
        ("10 0 * * *", "2024-01-02T00:09:00Z", "2024-01-01T00:10:00Z"),
        ("*/15 * * * *", "2024-01-01T10:44:10Z", "2024-01-01T10:30:00Z"),
        ("0 9 * * 1-5", "2024-01-07T12:00:00Z", "2024-01-05T09:00:00Z"),  // Sunday → Friday
        ("@daily", "2024-03-01T12:00:00Z", "2024-03-01T00:00:00Z"),
    ])
    func slots(_ expression: String, _ now: String, _ slot: String) throws {
        let cron = try CronExpression(parsing: expression)
        #expect(ReportRun.runTime(at: nil, schedule: cron, now: try t(now)) == (try t(slot)))
    }

    @Test("malformed expressions are rejected", arguments: ["", "* * * *", "61 * * * *", "*/0 * * * *", "a b c d e", "5-1 * * * *"])
    func malformed(_ expression: String) {
        #expect(throws: CronError.self) { try CronExpression(parsing: expression) }
    }

    @Test("the run time is --at, else the schedule slot, else now floored to the minute")
    func runTime() throws {
        let now = try t("2024-01-01T10:17:42.500Z")
        #expect(ReportRun.runTime(at: try t("2023-12-31"), schedule: try CronExpression(parsing: "5 * * * *"), now: now) == (try t("2023-12-31")))
        #expect(ReportRun.runTime(at: nil, schedule: try CronExpression(parsing: "5 * * * *"), now: now) == (try t("2024-01-01T10:05:00Z")))
        #expect(ReportRun.runTime(at: nil, schedule: nil, now: now) == (try t("2024-01-01T10:17:00Z")))
    }
}

@Suite("Placeholder values")
struct PlaceholderValueTests {
    @Test("formats", arguments: [
        (PlaceholderValue.number(18.669504), nil as PlaceholderFormat?, "18.67"),
        (.number(0.000534), nil, "0.000534"),
        (.number(2.5), .decimals(3), "2.500"),
        (.number(0.1234), .percent(1), "12.3%"),
        (.number(1234567.4), .grouped, "1,234,567"),
        (.integer(1440), nil, "1440"),
        (.integer(1440), .grouped, "1,440"),
        (.time(Timestamp(milliseconds: 1_704_067_200_000)), .date, "2024-01-01"),
        (.time(Timestamp(milliseconds: 1_704_067_200_000)), nil, "2024-01-01T00:00:00Z"),
        (.unavailable, .decimals(2), "n/a"),
        (.number(.nan), nil, "–"),
    ])
    func render(_ value: PlaceholderValue, _ format: PlaceholderFormat?, _ text: String) {
        #expect(value.render(format) == text)
    }
}
