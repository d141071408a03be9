import Alerts
import Market

/// A typed parameter value of a report script, parsed once at the edge from YAML or `-p key=value`.
public indirect enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case duration(TimeSpan)
    case timeframe(Timeframe)
    case symbol(Symbol)
    case pair(Pair)
    case date(Timestamp)
    case list([ParamValue])

    /// The text a placeholder shows: `60`, `0.05`, `24h`, `1m`, `BTCUSDT`, `BTCUSDT/ETHUSDT`,
    /// `2024-01-01T00:00:00Z`, lists joined by `, `.
    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .float(let v): NumberFormat.auto(v, significant: 6)
        case .bool(let v): v ? "true" : "false"
        case .string(let v): v
        case .duration(let v): v.description
        case .timeframe(let v): v.description
        case .symbol(let v): v.name
        case .pair(let v): v.description
        case .date(let v): v.iso8601(.seconds)
        case .list(let v): v.map(\.description).joined(separator: ", ")
        }
    }

    /// A JSON value for `report_runs.params` (numbers and booleans unquoted).
    var json: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return v.isFinite ? NumberFormat.auto(v, significant: 15) : "null"
        case .bool(let v): return v ? "true" : "false"
        case .list(let v): return "[" + v.map(\.json).joined(separator: ",") + "]"
        default: return JSONText.quote(description)
        }
    }

    /// The integer, if this is an int.
    public var intValue: Int? { if case .int(let v) = self { v } else { nil } }
    /// The number, if this is an int or a float.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .float(let v): v
        default: nil
        }
    }
    /// The symbol, if this is a symbol.
    public var symbolValue: Symbol? { if case .symbol(let v) = self { v } else { nil } }
    /// The pair, if this is a pair.
    public var pairValue: Pair? { if case .pair(let v) = self { v } else { nil } }
    /// The timeframe, if this is a timeframe.
    public var timeframeValue: Timeframe? { if case .timeframe(let v) = self { v } else { nil } }
    /// The duration, if this is a duration.
    public var durationValue: TimeSpan? { if case .duration(let v) = self { v } else { nil } }
    /// The items, if this is a list.
    public var listValue: [ParamValue]? { if case .list(let v) = self { v } else { nil } }
}

/// Minimal JSON string quoting (RFC 8259), for small metadata columns.
enum JSONText {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
