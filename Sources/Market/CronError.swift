/// Why a cron expression was rejected; `description` is one line naming the field and what was expected.
public enum CronError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Not five fields (and not a macro).
    case wrongFieldCount(expression: String, found: Int)
    /// An `@` word that is not one of `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`.
    case unknownMacro(String)
    /// A field that does not parse.
    case invalidField(expression: String, field: CronField, text: String, expected: String)
    /// A well-formed expression that matches no minute ever (`0 0 30 2 *`).
    case neverFires(expression: String, reason: String)

    public var description: String {
        switch self {
        case .wrongFieldCount(let expression, let found):
            "cron \"\(expression)\": expected 5 fields (minute hour day-of-month month day-of-week) or a macro like @daily, found \(found)"
        case .unknownMacro(let macro):
            "cron \"\(macro)\": unknown macro; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
        case .invalidField(let expression, let field, let text, let expected):
            "cron \"\(expression)\": \(field) field \"\(text)\": expected \(expected)"
        case .neverFires(let expression, let reason):
            "cron \"\(expression)\": never fires: \(reason)"
        }
    }
}
