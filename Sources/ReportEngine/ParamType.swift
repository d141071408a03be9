import Market

/// The declared type of a report parameter; values from YAML and the command line are parsed by it.
public indirect enum ParamType: Sendable, Hashable, CustomStringConvertible {
    case int(min: Int?, max: Int?)
    case float(min: Double?, max: Double?)
    case bool
    case string
    case duration
    case timeframe
    case symbol
    case pair
    case date
    /// One of a fixed set of words.
    case enumeration([String])
    /// A list of values of one type (comma-separated on the command line).
    case list(ParamType)

    /// Names accepted after `type:` in a declaration.
    public static let names = ["int", "float", "bool", "string", "duration", "timeframe", "symbol", "pair", "date", "enum", "list"]

    public var description: String {
        switch self {
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .string: "string"
        case .duration: "duration"
        case .timeframe: "timeframe"
        case .symbol: "symbol"
        case .pair: "pair"
        case .date: "date"
        case .enumeration: "enum"
        case .list(let element): "list of \(element)"
        }
    }

    /// What a value must look like, for error messages.
    public var expectation: String {
        switch self {
        case .int(let lo, let hi):
            "an integer" + Self.bounds(lo.map(String.init), hi.map(String.init))
        case .float(let lo, let hi):
            "a number" + Self.bounds(lo.map { "\($0)" }, hi.map { "\($0)" })
        case .bool: "true or false"
        case .string: "a text"
        case .duration: "a duration such as 30s, 15m, 24h, 7d"
        case .timeframe: "a timeframe such as 1s, 1m, 5m, 1h"
        case .symbol: "a symbol such as BTCUSDT"
        case .pair: "a pair such as BTCUSDT/ETHUSDT"
        case .date: "an ISO-8601 UTC time such as 2024-01-01 or 2024-01-01T12:00:00Z"
        case .enumeration(let values): "one of \(values.joined(separator: ", "))"
        case .list(let element): "a comma-separated list of \(element.expectation)"
        }
    }

    private static func bounds(_ lo: String?, _ hi: String?) -> String {
        switch (lo, hi) {
        case let (lo?, hi?): " from \(lo) to \(hi)"
        case let (lo?, nil): " ≥ \(lo)"
        case let (nil, hi?): " ≤ \(hi)"
        case (nil, nil): ""
        }
    }

    /// Parses command-line or YAML scalar text as this type. `nil` when it does not parse.
    public func parse(_ raw: String) -> ParamValue? {
        let text = raw.trimmingWhitespace()
        switch self {
        case .int(let lo, let hi):
            guard let v = Int(text), lo.map({ v >= $0 }) ?? true, hi.map({ v <= $0 }) ?? true else { return nil }
            return .int(v)
        case .float(let lo, let hi):
            guard let v = Double(text), v.isFinite, lo.map({ v >= $0 }) ?? true, hi.map({ v <= $0 }) ?? true else { return nil }
            return .float(v)
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: return nil
            }
        case .string:
            return .string(raw)
        case .duration:
            return (try? TimeSpan(parsing: text)).map(ParamValue.duration)
        case .timeframe:
            return (try? Timeframe(parsing: text)).map(ParamValue.timeframe)
        case .symbol:
            return (try? Symbol(parsing: text)).map(ParamValue.symbol)
        case .pair:
            return (try? Pair(parsing: text)).map(ParamValue.pair)
        case .date:
            return (try? Timestamp(parsing: text)).map(ParamValue.date)
        case .enumeration(let values):
            return values.contains(text) ? .string(text) : nil
        case .list(let element):
            var items: [ParamValue] = []
            for part in text.split(separator: ",") {
                guard let item = element.parse(String(part)) else { return nil }
                items.append(item)
            }
            return .list(items)
        }
    }

    /// Parses a list given as separate items (a YAML sequence). Non-list types accept one item.
    func parse(items: [String]) -> ParamValue? {
        guard case .list(let element) = self else { return items.count == 1 ? parse(items[0]) : nil }
        var values: [ParamValue] = []
        for item in items {
            guard let v = element.parse(item) else { return nil }
            values.append(v)
        }
        return .list(values)
    }
}
