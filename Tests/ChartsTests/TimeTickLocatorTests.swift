import Charts
import Market
import Testing

struct TimeTickLocatorTests {
    let midnight = Timestamp(CivilTime(year: 2024, month: 7, day: 19)).milliseconds

    @Test("minutes around midnight: HH:mm labels and the date at 00:00")
    func minutesAcrossMidnight() {
        let t = TimeTickLocator(maxTicks: 10).ticks(start: midnight - 3 * 60_000 + 2_956, end: midnight + 5 * 60_000 + 3_000)
        #expect(t.step == .fixed(60_000))
        #expect(t.labels == ["23:58", "23:59", "Jul 19", "00:01", "00:02", "00:03", "00:04", "00:05"])
        #expect(t.caption == "2024-07-18 – 2024-07-19 UTC")
    }

    @Test("seconds spans are labelled HH:mm:ss")
    func seconds() {
        let a = midnight + 3_600_000
        let t = TimeTickLocator(maxTicks: 7).ticks(start: a, end: a + 60_000)
        #expect(t.step == .fixed(10_000))
        #expect(t.labels == ["01:00:00", "01:00:10", "01:00:20", "01:00:30", "01:00:40", "01:00:50", "01:01:00"])
        #expect(t.caption == "2024-07-19 UTC")
    }

    @Test("three days of 1m bars: 12-hour ticks with dates at midnight")
    func days() {
        let jan1 = Timestamp(CivilTime(year: 2023, month: 1, day: 1)).milliseconds
        let t = TimeTickLocator(maxTicks: 8).ticks(start: jan1, end: jan1 + 3 * 86_400_000)
        #expect(t.step == .fixed(12 * 3_600_000))
        #expect(t.labels == ["Jan 1", "12:00", "Jan 2", "12:00", "Jan 3", "12:00", "Jan 4"])
    }

    @Test("months and years")
    func calendarSteps() {
        let a = Timestamp(CivilTime(year: 2023, month: 11, day: 15)).milliseconds
        let b = Timestamp(CivilTime(year: 2024, month: 6, day: 2)).milliseconds
        let t = TimeTickLocator(maxTicks: 8).ticks(start: a, end: b)
        #expect(t.step == .months(1))
        #expect(t.labels == ["Dec", "2024", "Feb", "Mar", "Apr", "May", "Jun"])
    }

    @Test("weekly ticks fall on Mondays")
    func weeks() {
        let a = Timestamp(CivilTime(year: 2024, month: 7, day: 1)).milliseconds
        let t = TimeTickLocator(maxTicks: 6).ticks(start: a, end: a + 40 * 86_400_000)
        #expect(t.step == .fixed(7 * 86_400_000))
        #expect(t.values.allSatisfy { Timestamp(milliseconds: $0).civil.weekday == 1 })
    }
}
