import Alerts
import Market

/// An output format of a report.
public enum ReportFormat: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case html, pdf, csv
    public var description: String { rawValue }
}

/// A parsed report script (`Reports/<name>.md`): front matter, parameters, alert rules and the body as
/// prose and cells, each with its source line.
///
/// ```swift
/// let script = try ReportScript(contentsOf: "Reports/pair-overview.md")
/// var params = script.parameters
/// try params.apply(assignments: ["window=120"])
/// ```
public struct ReportScript: Sendable, Hashable {
    /// The file as named by the user (used in messages).
    public var path: String
    /// The report name: `output.name`, or the file name without `.md`.
    public var name: String
    /// Title template (placeholders allowed).
    public var title: String
    /// Optional subtitle template.
    public var subtitle: String?
    /// Cron schedule (UTC) if the report runs on a schedule.
    public var schedule: CronExpression?
    /// Formats written by default.
    public var formats: [ReportFormat]
    /// Alert rules of the front matter (and of `alerts_file`).
    public var alerts: [AlertRule]
    /// A shell command the CLI runs after a run in which an alert fires (`on_trigger:`), for automation.
    public var onTrigger: String?
    /// Declared parameters with their defaults (plus the engine's standard ones when not declared).
    public var parameters: ReportParameters
    /// The body in order.
    public var blocks: [Block]

    /// A piece of the body.
    public enum Block: Sendable, Hashable {
        /// Markdown prose starting at `line`.
        case prose(String, line: Int)
        /// An executable cell.
        case cell(Cell)
    }

    /// The cells of the body, in order.
    public var cells: [Cell] {
        blocks.compactMap { if case .cell(let c) = $0 { c } else { nil } }
    }

    /// Creates a script from its parts (the parser is ``init(contentsOf:)``).
    public init(path: String, name: String, title: String, subtitle: String?, schedule: CronExpression?,
                formats: [ReportFormat], alerts: [AlertRule], onTrigger: String? = nil, parameters: ReportParameters,
                blocks: [Block]) {
        self.path = path
        self.name = name
        self.title = title
        self.subtitle = subtitle
        self.schedule = schedule
        self.formats = formats
        self.alerts = alerts
        self.onTrigger = onTrigger
        self.parameters = parameters
        self.blocks = blocks
    }
}
