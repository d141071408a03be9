/// An alert rule that cannot be evaluated as written.
public enum AlertError: Error, CustomStringConvertible, Equatable {
    /// The clear threshold is on the firing side of the threshold, so the alert could never clear.
    case clearThresholdOnWrongSide(rule: String, condition: AlertCondition, threshold: Double, clearThreshold: Double)
    /// A rule field has a value outside its domain (negative tolerance, zero duration, empty name, …).
    case invalidField(rule: String, field: String, expected: String)
    /// Two rules share a name (names key the alert state).
    case duplicateName(String)

    public var description: String {
        switch self {
        case .clearThresholdOnWrongSide(let rule, let condition, let threshold, let clear):
            let side = condition.isUpward ? "at or below" : "at or above"
            return "alert '\(rule)': clear_threshold \(clear) must be \(side) threshold \(threshold) for condition \(condition)"
        case .invalidField(let rule, let field, let expected):
            return "alert '\(rule)': \(field) must be \(expected)"
        case .duplicateName(let name):
            return "alert '\(name)' is defined twice: rule names must be unique"
        }
    }
}
