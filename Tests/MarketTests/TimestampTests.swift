import Market
import Testing

@Suite struct TimestampTests {
    @Test("ISO-8601 round trip", arguments: [
        ("2024-07-19T00:00:02.813Z", Int64(1_721_347_202_813)),
        ("1970-01-01T00:00:00.000Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2024-02-29T12:30:00.000Z", 1_709_209_800_000),
    ])
    func roundTrip(text: String, milliseconds: Int64) throws {
        let t = try Timestamp(parsing: text)
        #expect(t.milliseconds == milliseconds)
        #expect(t.iso8601() == text)
    }

    @Test("accepted input forms", arguments: [
        ("2024-01-01", Int64(1_704_067_200_000)),
        ("2024-01-01T00:00", 1_704_067_200_000),
        ("2024-01-01 00:00:01", 1_704_067_201_000),
        ("2024-01-01T00:00:01.5Z", 1_704_067_201_500),
        // Four or more fraction digits trapped (`digits..<3`), from a script's date param as from a dashboard query.
        ("2024-01-01T00:00:01.1234Z", 1_704_067_201_123),
        ("2024-01-01 00:00:01.999999999", 1_704_067_201_999),
        ("2024-01-01T00:00:01+00:00", 1_704_067_201_000),
        ("1704067200000", 1_704_067_200_000),
    ])
    func inputForms(text: String, milliseconds: Int64) throws {
        #expect(try Timestamp(parsing: text).milliseconds == milliseconds)
    }

    @Test("rejected input", arguments: ["", "2024-13-01", "2023-02-29", "2024-01-01T25:00", "yesterday", "2024-01-01T00:00+02:00"])
    func rejects(text: String) {
        #expect(throws: MarketError.invalidTimestamp(text)) { try Timestamp(parsing: text) }
    }

    @Test func compactAndPrecision() throws {
        let t = try Timestamp(parsing: "2024-07-19T08:05:02.813Z")
        #expect(t.compactUTC == "20240719T080502Z")
        #expect(t.iso8601(.date) == "2024-07-19")
        #expect(t.iso8601(.seconds) == "2024-07-19T08:05:02Z")
        #expect(t.civil.weekday == 5)  // a Friday
    }
}
