/// How a metric value is compared with a rule's threshold.
///
/// Level conditions (`>`, `<`, `>=`, `<=`, `==`) are active while the value is past the threshold.
/// Crossing conditions become active only on the sample where the value moves across the threshold
/// (`crosses_above`: previous ≤ threshold < current), so a window that starts beyond the threshold does
/// not fire. Once active, every condition stays active until the value moves back past the rule's
/// clear threshold (hysteresis; by default the threshold itself).
public enum AlertCondition: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case greaterThan = ">"
    case lessThan = "<"
    case greaterThanOrEqual = ">="
    case lessThanOrEqual = "<="
    /// Equal within the rule's `tolerance` (absolute).
    case equal = "=="
    case crossesAbove = "crosses_above"
    case crossesBelow = "crosses_below"

    /// The script spelling, e.g. `>=` or `crosses_above`.
    public var description: String { rawValue }

    /// Whether the condition watches for values going up (`>`, `>=`, `crosses_above`).
    public var isUpward: Bool { self == .greaterThan || self == .greaterThanOrEqual || self == .crossesAbove }

    /// Whether the condition watches for values going down (`<`, `<=`, `crosses_below`).
    public var isDownward: Bool { self == .lessThan || self == .lessThanOrEqual || self == .crossesBelow }

    /// A phrase for summaries: `above`, `at or below`, `crossed above`, …
    public var phrase: String {
        switch self {
        case .greaterThan: "above"
        case .lessThan: "below"
        case .greaterThanOrEqual: "at or above"
        case .lessThanOrEqual: "at or below"
        case .equal: "at"
        case .crossesAbove: "crossed above"
        case .crossesBelow: "crossed below"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let condition = AlertCondition(rawValue: text.trimmingCharacters(in: " ")) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "unknown condition '\(text)': expected one of \(AlertCondition.allCases.map(\.rawValue).joined(separator: " "))"))
        }
        self = condition
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
