import Alerts
import Foundation
import Market

/// An alert rule made on the dashboard: the report scripts' rule keys (`cooldown` among them), plus the rolling
/// `window` its pair metrics are computed with. Stored as this JSON in `alert_rules.definition`.
///
/// ```json
/// {"name": "btc/eth stretched", "metric": "z_score", "condition": ">", "threshold": 2, "clear_threshold": 1,
///  "pair": "BTCUSDT/ETHUSDT", "timeframe": "1m", "window": 60, "cooldown": "15m"}
/// ```
struct DashboardRule: Sendable, Hashable {
    var rule: AlertRule
    /// Rolling window in bars for pair metrics.
    var window: Int

    init(rule: AlertRule, window: Int = 60) {
        self.rule = rule
        self.window = window
    }

    /// Parses a request body or a stored definition: a JSON object with the rule's keys and `window`.
    static func decode(_ data: Data) throws -> DashboardRule {
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("expected a JSON object with the rule's fields")
        }
        var window = 60
        if let value = object.removeValue(forKey: "window") {
            guard let number = value as? NSNumber, let whole = Int(exactly: number.doubleValue) else {
                throw APIError.badRequest("window: expected a whole number of bars")
            }
            window = whole
        }
        do {
            let rest = try JSONSerialization.data(withJSONObject: object)
            return DashboardRule(rule: try JSONDecoder().decode(AlertRule.self, from: rest), window: window)
        } catch let error as DecodingError {
            throw APIError.badRequest(DecodingErrorText.describe(error))
        } catch {
            throw APIError.badRequest("invalid rule: \(error)")
        }
    }

    /// The stored definition: the rule's JSON with `window`.
    var definition: String {
        var object = ((try? JSONSerialization.jsonObject(with: JSONEncoder().encode(rule))) as? [String: Any]) ?? [:]
        object["window"] = window
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Checks what a user may have got wrong, in one line naming the field.
    func validate() throws {
        do { try rule.validate() } catch { throw APIError.badRequest("\(error)") }
        guard (2...100_000).contains(window) else { throw APIError.badRequest("window must be from 2 to 100000 bars") }
        if rule.metric.isPairMetric && rule.pair == nil {
            throw APIError.badRequest("alert '\(rule.name)': pair is required for metric \(rule.metric) (e.g. BTCUSDT/ETHUSDT)")
        }
        if !rule.metric.isPairMetric && rule.symbol == nil && rule.pair == nil {
            throw APIError.badRequest("alert '\(rule.name)': symbol (or pair) is required for metric \(rule.metric)")
        }
        guard rule.name.count <= 200 else { throw APIError.badRequest("name must be at most 200 characters") }
    }
}

/// One line for a decoding error: the path of the offending key and what was wrong.
enum DecodingErrorText {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            let where_ = path(context)
            return where_.isEmpty ? "not valid JSON: \(context.debugDescription)" : "\(where_): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
