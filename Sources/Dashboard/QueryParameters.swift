import Hummingbird
import Market

/// The query string of one request, parsed into the market types; every mistake is a 400 naming the parameter.
struct QueryParameters {
    /// Every parameter as sent (percent-decoded).
    let values: [String: String]

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            values[String(key)] = String(value)  // already percent-decoded by Hummingbird
        }
        self.values = values
    }

    init(_ values: [String: String]) { self.values = values }

    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    func require(_ name: String) throws -> String {
        guard let value = self[name] else { throw APIError.badRequest("missing parameter \(name)") }
        return value
    }

    func symbol(_ name: String = "symbol") throws -> Symbol {
        let text = try require(name)
        do { return try Symbol(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
    }

    func symbols(_ name: String = "symbols") throws -> [Symbol] {
        let text = try require(name)
        do { return try Symbol.parseList(text) } catch { throw APIError.badRequest("\(name): \(error)") }
    }

    func pair(_ name: String = "pair") throws -> Pair {
        let text = try require(name)
        do { return try Pair(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
    }

    func timeframe(default fallback: Timeframe = .oneMinute) throws -> Timeframe {
        guard let text = self["timeframe"] else { return fallback }
        do { return try Timeframe(parsing: text) } catch { throw APIError.badRequest("timeframe: \(error)") }
    }

    /// Times a query may name: 1970 … 2100 (arithmetic on them can never overflow).
    static let plausibleTimes = Timestamp(milliseconds: 0)...Timestamp(milliseconds: 4_102_444_800_000)
    /// Spans a query may name: up to a hundred years.
    static let longestSpan = TimeSpan(milliseconds: 36_500 * 86_400_000)

    func timestamp(_ name: String) throws -> Timestamp? {
        guard let text = self[name] else { return nil }
        let time: Timestamp
        do { time = try Timestamp(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
        guard Self.plausibleTimes.contains(time) else { throw APIError.badRequest("\(name): \(text) is outside 1970 … 2100") }
        return time
    }

    func span(_ name: String) throws -> TimeSpan? {
        guard let text = self[name] else { return nil }
        let span: TimeSpan
        do { span = try TimeSpan(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
        guard span.milliseconds > 0, span <= Self.longestSpan else { throw APIError.badRequest("\(name): expected a span from 1ms to 36500d") }
        return span
    }

    func integer(_ name: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return value
    }

    /// The requested window: `from`/`to`, or `lookback` ending at `at` (default: `end()`, the end of the stored data;
    /// `nil` when nothing is stored, which is a 400 naming `what`).
    func range(of what: @autoclosure () -> String, end: () throws -> Timestamp?) throws -> TimeRange {
        func anchor() throws -> Timestamp {
            if let at = try timestamp("at") { return at }
            guard let end = try end() else { throw APIError.badRequest("no \(what()) stored (see /api/symbols)") }
            return end
        }
        let from = try timestamp("from"), to = try timestamp("to")
        if let lookback = try span("lookback") {
            guard from == nil, to == nil else { throw APIError.badRequest("give either lookback or from/to, not both") }
            guard lookback.milliseconds > 0 else { throw APIError.badRequest("lookback must be positive") }
            return TimeRange(lookback: lookback, endingAt: try anchor())
        }
        if from == nil, to == nil {
            return TimeRange(lookback: TimeSpan(milliseconds: 86_400_000), endingAt: try anchor())
        }
        let start = from ?? TimeRange.all.start, end = to ?? TimeRange.all.end
        guard end > start else { throw APIError.badRequest("to must be after from") }
        return TimeRange(start: start, end: end)
    }
}
