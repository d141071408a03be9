import Foundation
import Alerts
import Analytics
import Charts
import Market

/// The result of executing a script once: every value a renderer needs, independent of the output format.
///
/// HTML, PDF and CSV renderers all read the same `ExecutedReport` (execute once, render each format).
/// It holds no wall-clock time: only the run time (``runTime``), so rendering is reproducible.
public struct ExecutedReport: Sendable {
    /// The report (folder) name.
    public var name: String
    /// The script path.
    public var scriptPath: String
    /// Title and subtitle with placeholders resolved (plain text).
    public var title: String
    /// The subtitle, if the script has one.
    public var subtitle: String?
    /// The run time (`--at`, the schedule slot, or now floored to the minute), UTC.
    public var runTime: Timestamp
    /// The analysed window `[runTime − lookback, runTime)`.
    public var window: TimeRange
    /// The bar timeframe of the report.
    public var timeframe: Timeframe
    /// Parameter values in declaration order, as text.
    public var parameters: [(name: String, value: String)]
    /// The body, split into sections at level-1 headings.
    public var sections: [ReportSection]
    /// Every finding of the run, in display order.
    public var findings: [Finding]
    /// Bars loaded per symbol (window only), in symbol order.
    public var bars: [BarSeries]
    /// Pair analyses, in the order first needed.
    public var analyses: [PairAnalysis]
    /// CSV files the run exports (by kind), chosen by export cells or all when none.
    public var exports: [ExportCell.File]
    /// Formats to render.
    public var formats: [ReportFormat]
    /// Problems that did not stop the run (e.g. a pair with too few bars), shown in the report.
    public var notices: [String]

    /// Findings that need attention (firing, pending, nodata, resolved in this window).
    public var attentionFindings: [Finding] { findings.filter(\.needsAttention) }

    /// Names of the CSV files for ``exports``.
    public var csvFileNames: [String] { exports.map { "\($0.rawValue).csv" } }
}

/// A titled part of the report body: the content under one `# Heading` of the script.
public struct ReportSection: Sendable {
    /// The heading text (placeholders resolved), or nil for content before the first heading.
    public var title: String?
    /// A URL fragment id such as `analytics`.
    public var id: String
    /// The content in script order.
    public var items: [ReportItem]
}

/// One element of a section.
public enum ReportItem: Sendable {
    /// Markdown prose; placeholder values are kept apart so that each renderer escapes them its own way.
    case prose(ResolvedProse)
    case chart(ChartItem)
    case table(TableItem)
    case findings(FindingsItem)
    /// Links to the exported CSV files.
    case export(ExportItem)
    /// A cell that could not produce its output (e.g. no data for a symbol); the text says why.
    case notice(String)
}

/// Markdown with placeholders replaced by tokens `⟦n⟧`-like markers, and their values.
public struct ResolvedProse: Sendable, Hashable {
    /// Markdown in which each placeholder is the token ``token(_:)`` of its index.
    public var markdown: String
    /// The values, as plain text.
    public var values: [String]

    /// The marker for value `i`: letters and digits only, so that Markdown leaves it alone.
    public static func token(_ i: Int) -> String { "PBVALUE\(i)XEND" }

    /// The text with every token replaced by `transform(value)`.
    public func substituting(in text: String, _ transform: (String) -> String) -> String {
        guard !values.isEmpty else { return text }
        var out = text
        for (i, value) in values.enumerated().reversed() {
            out = out.replacingOccurrences(of: Self.token(i), with: transform(value))
        }
        return out
    }
}

/// A chart cell's spec, drawn to PNG for HTML and as vectors in the PDF.
public struct ChartItem: Sendable {
    /// The chart spec (drawn by the renderer).
    public var chart: any Chart
    /// A short alternative text (the chart title).
    public var altText: String
    /// A caption below the chart.
    public var caption: String?
    /// Height in CSS pixels for a 1000-pixel-wide image.
    public var height: Int
}

/// A table: column headers, rows of text, and which columns hold numbers (right-aligned).
public struct TableItem: Sendable, Hashable {
    /// The heading above the table.
    public var title: String?
    /// Column headers.
    public var columns: [String]
    /// Indexes of right-aligned (numeric) columns.
    public var numericColumns: Set<Int>
    /// Cells as text, row by row.
    public var rows: [[String]]
    /// A note below the table.
    public var caption: String?

    /// Creates a table.
    public init(title: String?, columns: [String], numericColumns: Set<Int> = [], rows: [[String]], caption: String? = nil) {
        self.title = title
        self.columns = columns
        self.numericColumns = numericColumns
        self.rows = rows
        self.caption = caption
    }
}

/// A findings cell: its findings and title.
public struct FindingsItem: Sendable {
    /// The heading above the findings.
    public var title: String?
    /// The findings shown, in display order.
    public var findings: [Finding]
    /// Whether only findings needing attention are shown.
    public var activeOnly: Bool
}

/// An export cell: the CSV files and their descriptions.
public struct ExportItem: Sendable, Hashable {
    /// The heading above the list.
    public var title: String?
    /// File names and what each holds.
    public var files: [(name: String, description: String)]

    public static func == (a: ExportItem, b: ExportItem) -> Bool {
        a.title == b.title && a.files.map(\.name) == b.files.map(\.name) && a.files.map(\.description) == b.files.map(\.description)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(title)
        hasher.combine(files.map(\.name))
    }
}
