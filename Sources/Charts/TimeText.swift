import Market

/// Short UTC texts for chart subtitles and captions.
public enum TimeText {
    /// `2024-07-18 23:57:02 – 2024-07-19 00:05:03 UTC` (seconds dropped when both are whole minutes,
    /// the second date dropped when it is the same day).
    public static func span(_ a: Timestamp, _ b: Timestamp) -> String {
        let wholeMinutes = a.milliseconds % 60_000 == 0 && b.milliseconds % 60_000 == 0
        func text(_ t: Timestamp) -> (date: String, time: String) {
            let iso = t.iso8601(.seconds)   // 2024-07-18T23:57:02Z
            let date = String(iso.prefix(10))
            let time = String(iso.dropFirst(11).prefix(wholeMinutes ? 5 : 8))
            return (date, time)
        }
        let x = text(a), y = text(b)
        let right = x.date == y.date ? y.time : y.date + " " + y.time
        return x.date + " " + x.time + " – " + right + " UTC"
    }
}

extension TimeText {
    /// The span of a range, `[start, end)`, in the same style.
    public static func span(_ range: TimeRange) -> String { span(range.start, range.end) }
}
