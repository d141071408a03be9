import Market
import Testing

@Suite struct TimeframeTests {
    @Test("parses and prints", arguments: [("1s", Int64(1000)), ("1m", 60_000), ("5m", 300_000), ("15m", 900_000), ("1h", 3_600_000), ("4h", 14_400_000), ("1d", 86_400_000)])
    func parse(text: String, ms: Int64) throws {
        let tf = try Timeframe(parsing: text)
        #expect(tf.milliseconds == ms)
        #expect(tf.description == text)
    }

    @Test("rejects", arguments: ["0s", "7m", "1w", "1ms", "m", "", "-1m", "25h"])
    func rejects(text: String) {
        #expect(throws: MarketError.invalidTimeframe(text)) { try Timeframe(parsing: text) }
    }

    @Test func alignment() {
        let t = Timestamp(milliseconds: 1_721_347_202_813)
        #expect(Timeframe.oneSecond.barOpen(containing: t).milliseconds == 1_721_347_202_000)
        #expect(Timeframe.fiveMinutes.barOpen(containing: t).iso8601(.seconds) == "2024-07-19T00:00:00Z")
        #expect(Timeframe.oneMinute.barOpen(containing: Timestamp(milliseconds: -1)).milliseconds == -60_000)
    }

    @Test func list() throws {
        #expect(try Timeframe.parseList("5m,1s,1m,1s") == [.oneSecond, .oneMinute, .fiveMinutes])
    }

    @Test func spans() throws {
        #expect(try TimeSpan(parsing: "24h") == .hours(24))
        #expect(try TimeSpan(parsing: "250ms").milliseconds == 250)
        #expect(TimeSpan.minutes(90).description == "90m")
        #expect(throws: MarketError.invalidDuration("0h")) { try TimeSpan(parsing: "0h") }
    }
}

@Suite struct AbsurdTimeTests {
    @Test("alignment never traps, even at the ends of Int64", arguments: [Int64.min, -9_223_372_036_854_775_807, -9_223_372_036_854_775_000, .max])
    func alignmentAtTheEnds(ms: Int64) {
        for timeframe in [Timeframe.oneSecond, .oneMinute, .fiveMinutes, .oneDay] {
            let open = timeframe.barOpen(containing: Timestamp(milliseconds: ms))
            #expect(open.milliseconds % timeframe.milliseconds == 0)
            #expect((open.milliseconds - ms).magnitude < UInt64(timeframe.milliseconds))
        }
    }

    @Test("plausible market times: 2017-01-01 to now + 1 day")
    func plausibleTimes() {
        let now = Timestamp(milliseconds: 1_721_347_202_813)
        let range = Timestamp.plausibleMarketTimes(now: now)
        #expect(range.lowerBound.iso8601(.seconds) == "2017-01-01T00:00:00Z")
        #expect(range.upperBound == now + .days(1))
        #expect(!range.contains(Timestamp(milliseconds: 99_999_999_999_999)))
        #expect(!range.contains(Timestamp(milliseconds: -9_223_372_036_854_775_807)))
        #expect(Timestamp.plausibleMarketTimes(now: Timestamp(milliseconds: .max)).upperBound.milliseconds == .max)
        #expect(Timestamp.plausibleMarketTimes(now: Timestamp(milliseconds: 0)) == Timestamp.earliestMarketData...Timestamp.earliestMarketData)
        #expect(!Tick.plausibleTradeIDs.contains(.max) && !Tick.plausibleTradeIDs.contains(-1))
    }
}
