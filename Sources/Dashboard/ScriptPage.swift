import Alerts
import Market
import ReportEngine

/// `GET /api/reports/{name}/page`: one run of a report script over the current window, as the live page draws it —
/// the script's params as form controls (with the values used), and its sections with each cell as data: prose as
/// sanitised HTML, charts as series (``ScriptPageChart``), tables as rows, findings as the report's findings table.
struct ScriptPage: Encodable {
    var name: String
    var title: String
    var subtitle: String?
    /// The end of the window (epoch ms, UTC): the end of the newest bar of the script's symbols, or `at`.
    var runTime: Int64
    var from: Int64
    var to: Int64
    var timeframe: String
    /// The params as form controls, each with the value of this run.
    var params: [Param]
    /// Symbols whose closing bars should refresh the page, and their timeframe.
    var symbols: [String]
    var findingsSummary: String
    var firing: Int
    var notices: [String]
    var sections: [Section]

    struct Param: Encodable {
        var control: ParamItem
        var value: String

        func encode(to encoder: any Encoder) throws {
            try control.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(value, forKey: .value)
        }

        enum Key: String, CodingKey { case value }
    }

    struct Section: Encodable {
        var id: String
        var title: String?
        var items: [Item]
    }

    /// One cell or piece of prose; `kind` says which of the other fields are set.
    struct Item: Encodable {
        var kind: String
        var html: String?
        var text: String?
        var chart: ScriptPageChart?
        var table: Table?
        var findings: Findings?
    }

    struct Table: Encodable {
        var title: String?
        var columns: [String]
        var numeric: [Int]
        var rows: [[String]]
        var caption: String?
    }

    struct Findings: Encodable {
        var title: String
        var emptyText: String
        var rows: [FindingRow]
    }

    /// A finding as the static report's findings table shows it.
    struct FindingRow: Encodable {
        var state, severity, rule, subject, value, condition, summary: String
        var breaches: Int
        var since: String?
        var duration: String?

        init(_ finding: Finding) {
            let c = HTMLRenderer.findingContext(finding)
            func text(_ key: String) -> String { c[key] as? String ?? "" }
            state = text("state")
            severity = text("severity")
            rule = text("rule")
            subject = text("subject")
            value = text("value")
            condition = text("condition")
            summary = text("summary")
            breaches = c["breaches"] as? Int ?? 0
            since = c["since"] as? String
            duration = c["duration"] as? String
        }
    }

    init(_ report: ExecutedReport, params: ReportParameters, points: Int?) {
        name = report.name
        title = report.title
        subtitle = report.subtitle
        runTime = report.runTime.milliseconds
        from = report.window.start.milliseconds
        to = report.window.end.milliseconds
        timeframe = report.timeframe.description
        self.params = params.declarations.map { Param(control: ParamItem($0), value: params[$0.name]?.description ?? "") }
        symbols = report.bars.filter { $0.timeframe == report.timeframe }.map(\.symbol.name)
        firing = report.findings.filter { $0.state == .firing }.count
        findingsSummary = report.findings.isEmpty ? "no alert rules"
            : "\(firing) firing · \(report.attentionFindings.count) need attention · \(report.findings.count) evaluated"
        notices = report.notices
        sections = HTMLRenderer.sectionsWithDefaults(report).map { section in
            Section(id: section.id, title: section.title, items: section.items.map { Self.item($0, points: points) })
        }
    }

    static func item(_ item: ReportEngine.ReportItem, points: Int?) -> Item {
        switch item {
        case .prose(let prose):
            return Item(kind: "prose", html: prose.html())
        case .chart(let chart):
            guard let data = ScriptPageChart(chart, points: points) else { return Item(kind: "notice", text: "\(chart.altText): not drawn here") }
            return Item(kind: "chart", chart: data)
        case .table(let t):
            return Item(kind: "table", table: Table(title: t.title, columns: t.columns, numeric: t.numericColumns.sorted(), rows: t.rows,
                                                    caption: t.caption))
        case .findings(let f):
            let c = HTMLRenderer.findingsContext(f)
            return Item(kind: "findings", findings: Findings(title: c["title"] as? String ?? "Findings",
                                                             emptyText: c["emptyText"] as? String ?? "",
                                                             rows: f.findings.map(FindingRow.init)))
        case .export(let e):
            // CSV files are written by a report run (the Export tab, or the schedule), not by the live page.
            return Item(kind: "export", text: "CSV files of a report run: " + e.files.map { $0.name }.joined(separator: ", "))
        case .notice(let text):
            return Item(kind: "notice", text: text)
        }
    }
}
