import Alerts
import Charts
import Foundation
import Market

/// Renders an executed report as one self-contained HTML page through the Mustache templates.
///
/// Charts are embedded as PNG data URIs (1000 CSS pixels wide at 1.5× pixel density), the stylesheet is
/// inlined, every value is HTML-escaped (Mustache `{{…}}`, and placeholder values inside prose), and nothing
/// depends on the wall clock, so the same report gives the same bytes.
public struct HTMLRenderer: Sendable {
    /// The page template, partials and stylesheet.
    public var templates: TemplateSet
    /// Device pixels per CSS pixel of the chart images.
    public var chartScale: Double

    /// Creates a renderer; `chartScale` 1.5 keeps the shipped reports well under 1.5 MB.
    public init(templates: TemplateSet, chartScale: Double = 1.5) {
        self.templates = templates
        self.chartScale = chartScale
    }

    /// The page for `report`.
    ///
    /// - Parameter csvFiles: names of the CSV files written next to the page (linked from the Export section).
    /// - Throws: ``ChartError`` when a chart cannot be rasterised.
    public func render(_ report: ExecutedReport, csvFiles: Set<String> = []) throws -> String {
        var sections: [[String: Any]] = []
        for section in Self.sectionsWithDefaults(report) {
            var items: [[String: Any]] = []
            for item in section.items {
                switch item {
                case .prose(let prose):
                    items.append(["prose": ["html": prose.html()]])
                case .chart(let chart):
                    let png = try chart.chart.pngData(size: Size(width: 1000, height: Double(chart.height)), scale: chartScale)
                    var dict: [String: Any] = ["png": png.base64EncodedString(), "width": 1000, "height": chart.height, "alt": chart.altText]
                    if let caption = chart.caption { dict["caption"] = caption }
                    items.append(["chart": dict])
                case .table(let table):
                    items.append(["table": Self.tableContext(table)])
                case .findings(let f):
                    items.append(["findings": Self.findingsContext(f)])
                case .export(let e):
                    items.append(["export": Self.exportContext(e, written: csvFiles)])
                case .notice(let text):
                    items.append(["notice": text])
                }
            }
            var dict: [String: Any] = ["id": section.id, "items": items]
            if let title = section.title { dict["title"] = title }
            sections.append(dict)
        }
        let attention = report.attentionFindings.map(Self.findingContext)
        let firing = report.findings.filter { $0.state == .firing }.count
        var context: [String: Any] = [
            "title": report.title,
            "name": report.name,
            "script": report.scriptPath,
            "css": templates.css,
            "runTime": report.runTime.iso8601(.seconds),
            "windowStart": report.window.start.iso8601(.seconds),
            "windowEnd": report.window.end.iso8601(.seconds),
            "lookback": report.window.span.description,
            "timeframe": report.timeframe.description,
            "findingsSummary": report.findings.isEmpty ? "no rules" :
                "\(firing) firing · \(report.attentionFindings.count) need attention · \(report.findings.count) evaluated",
            "nav": sections.compactMap { s -> [String: Any]? in
                guard let title = s["title"] as? String, let id = s["id"] as? String else { return nil }
                return ["id": id, "title": title]
            },
            "hasAttention": !attention.isEmpty,
            "attention": attention,
            "hasNotices": !report.notices.isEmpty,
            "notices": report.notices,
            "sections": sections,
            "parameters": report.parameters.map { ["name": $0.name, "value": $0.value] },
        ]
        if let subtitle = report.subtitle { context["subtitle"] = subtitle }
        return templates.render(context) ?? ""
    }

    /// The script's sections, plus an Alerts section when rules exist but no findings cell shows them, and an
    /// Export section when CSVs are written but no export cell links them.
    public static func sectionsWithDefaults(_ report: ExecutedReport) -> [ReportSection] {
        var sections = report.sections
        let items = sections.flatMap(\.items)
        let hasFindings = items.contains { if case .findings = $0 { true } else { false } }
        let hasExport = items.contains { if case .export = $0 { true } else { false } }
        if !hasFindings, !report.findings.isEmpty {
            let item = ReportItem.findings(FindingsItem(title: "Findings", findings: report.findings, activeOnly: false))
            if let i = sections.firstIndex(where: { $0.id == "alerts" }) {
                sections[i].items.append(item)
            } else {
                sections.append(ReportSection(title: "Alerts", id: "alerts", items: [item]))
            }
        }
        if !hasExport, report.formats.contains(.csv) {
            let item = ReportItem.export(ExportItem(title: nil, files: report.exports.map { ("\($0.rawValue).csv", Execution.describe($0)) }))
            if let i = sections.firstIndex(where: { $0.id == "export" }) {
                sections[i].items.append(item)
            } else {
                sections.append(ReportSection(title: "Export", id: "export", items: [item]))
            }
        }
        return sections
    }

    /// `<h1>`…`<h5>` of prose become one level lower, below the section headings.
    static func shiftHeadings(_ html: String) -> String {
        var out = html
        for level in stride(from: 5, through: 1, by: -1) {
            out = out.replacingOccurrences(of: "<h\(level)>", with: "<h\(level + 1)>")
                .replacingOccurrences(of: "</h\(level)>", with: "</h\(level + 1)>")
        }
        return out
    }

    static func tableContext(_ t: TableItem) -> [String: Any] {
        var dict: [String: Any] = [
            "columns": t.columns.enumerated().map { ["text": $0.element, "numeric": t.numericColumns.contains($0.offset)] },
            "rows": t.rows.map { row in
                ["cells": row.enumerated().map { ["text": $0.element, "numeric": t.numericColumns.contains($0.offset)] }]
            },
        ]
        if let title = t.title { dict["title"] = title }
        if let caption = t.caption { dict["caption"] = caption }
        dict["keyValue"] = t.columns.count == 2
        return dict
    }

    /// A finding as the findings tables show it: `state`, `severity`, `rule`, `subject`, `value`, `condition`,
    /// `breaches`, `summary`, and `since`/`duration` texts where they apply (all strings but `breaches`).
    public static func findingContext(_ f: Finding) -> [String: Any] {
        var dict: [String: Any] = [
            "state": f.state.rawValue, "severity": f.severity.rawValue, "rule": f.rule, "subject": f.subject,
            "value": f.value.map { NumberFormat.auto($0) } ?? "n/a",
            "condition": "\(f.metric.rawValue) \(f.condition.rawValue) \(NumberFormat.auto(f.threshold))"
                + (f.clearThreshold != f.threshold ? " (clears at \(NumberFormat.auto(f.clearThreshold)))" : ""),
            "breaches": f.breachCount, "summary": f.summary,
        ]
        switch f.state {
        case .resolved:
            if let fired = f.firedAt, let resolved = f.resolvedAt {
                dict["since"] = "fired \(shortTime(fired))"
                dict["duration"] = "resolved \(shortTime(resolved)) after \(f.duration?.description ?? "")"
            }
        case .firing, .pending:
            if let since = f.firedAt ?? f.firstBreach { dict["since"] = "since \(shortTime(since))" }
            if let duration = f.duration { dict["duration"] = "for \(duration)" }
        case .nodata:
            if let t = f.transitions.last(where: { $0.state == .nodata })?.time { dict["since"] = "no data since \(shortTime(t))" }
        case .normal:
            break
        }
        return dict
    }

    /// `2024-01-01 23:36:00 UTC`-style time for tables.
    static func shortTime(_ t: Timestamp) -> String {
        t.iso8601(.seconds).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    /// A findings cell as the report shows it: `title`, `rows` (``findingContext(_:)``), `hasRows`, `empty`, `emptyText`.
    public static func findingsContext(_ item: FindingsItem) -> [String: Any] {
        [
            "title": item.title ?? (item.activeOnly ? "Active alerts" : "Findings"),
            "rows": item.findings.map(findingContext),
            "hasRows": !item.findings.isEmpty,
            "empty": item.findings.isEmpty,
            "emptyText": item.activeOnly ? "No alert needs attention." : "No alert rules evaluated.",
        ]
    }

    static func exportContext(_ e: ExportItem, written: Set<String>) -> [String: Any] {
        var dict: [String: Any] = [
            "files": e.files.map { ["name": $0.name, "description": $0.description, "written": written.contains($0.name)] },
        ]
        if let title = e.title { dict["title"] = title }
        return dict
    }
}
