import ReportEngine
import Market

/// A report script to schedule, parsed and checked.
public struct ScheduledReport: Sendable {
    public var path: String
    public var name: String
    public var schedule: CronExpression
    /// Names of the script's alert rules (the `rule` dimension of the alert-trigger counter).
    public var alertRules: [String]
    /// The parsed script.
    public var script: ReportScript
}
