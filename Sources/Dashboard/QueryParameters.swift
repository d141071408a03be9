import Hummingbird
import Market

/// The query string of one request, parsed into the market types; every mistake is a 400 naming the parameter.
struct QueryParameters {
    private let values: [String: String]

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

    func timestamp(_ name: String) throws -> Timestamp? {
        guard let text = self[name] else { return nil }
        do { return try Timestamp(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
    }

    func span(_ name: String) throws -> TimeSpan? {
        guard let text = self[name] else { return nil }
        do { return try TimeSpan(parsing: text) } catch { throw APIError.badRequest("\(name): \(error)") }
    }

    func integer(_ name: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("\(name): expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return value
    }

    /// The requested window: `from`/`to`, or `lookback` ending at `at` (default: `end()`, the end of the stored data).
    func range(end: () throws -> Timestamp?) throws -> TimeRange {
        let from = try timestamp("from"), to = try timestamp("to")
        if let lookback = try span("lookback") {
            guard from == nil, to == nil else { throw APIError.badRequest("give either lookback or from/to, not both") }
            guard lookback.milliseconds > 0 else { throw APIError.badRequest("lookback must be positive") }
            let anchor = try timestamp("at") ?? end() ?? Timestamp(milliseconds: 0)
            return TimeRange(lookback: lookback, endingAt: anchor)
        }
        if from == nil, to == nil {
            let anchor = try timestamp("at") ?? end() ?? Timestamp(milliseconds: 0)
            return TimeRange(lookback: TimeSpan(milliseconds: 86_400_000), endingAt: anchor)
        }
        let range = TimeRange(start: from ?? TimeRange.all.start, end: to ?? TimeRange.all.end)
        guard range.end > range.start else { throw APIError.badRequest("to must be after from") }
        return range
    }
}
