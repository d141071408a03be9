import Foundation
import Market

/// Renders a rule's one-line summary template for a finding.
///
/// Placeholders: `{{rule}}`, `{{pair}}` (the subject), `{{subject}}`, `{{metric}}`, `{{value}}`, `{{threshold}}`,
/// `{{clear_threshold}}`, `{{condition}}` (a phrase such as "above"), `{{state}}`, `{{severity}}`, `{{peak}}`,
/// `{{breaches}}`. Unknown placeholders are left as written. The result is plain text (HTML escaping is the
/// renderer's job).
public enum SummaryTemplate {
    /// Used when a rule has no `summary`: e.g. `z-score 2.31 on BTCUSDT/ETHUSDT (above 2)`.
    public static let defaultTemplate = "{{metric}} {{value}} on {{pair}} ({{condition}} {{threshold}})"

    /// The names accepted inside `{{…}}`.
    public static let placeholders: Set<String> = [
        "rule", "pair", "subject", "metric", "value", "threshold", "clear_threshold", "condition", "state", "severity",
        "peak", "breaches",
    ]

    /// Substitutes the placeholders of `template` with the finding's values. O(length of template).
    public static func render(_ template: String, finding: Finding) -> String {
        func value(for key: String) -> String? {
            switch key {
            case "rule": finding.rule
            case "pair", "subject": finding.subject
            case "metric": finding.metric.label
            case "value": finding.value.map { NumberFormat.auto($0) } ?? "n/a"
            case "threshold": NumberFormat.auto(finding.threshold)
            case "clear_threshold": NumberFormat.auto(finding.clearThreshold)
            case "condition": finding.condition.phrase
            case "state": finding.state.rawValue
            case "severity": finding.severity.rawValue
            case "peak": finding.peak.map { NumberFormat.auto($0) } ?? "n/a"
            case "breaches": String(finding.breachCount)
            default: nil
            }
        }
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let key = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: " ")
            out += value(for: key) ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
