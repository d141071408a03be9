import Alerts
import Charts
import Foundation
import Market

/// Renders an executed report as an A4 PDF drawn with the Charts module's ``Canvas``: a title block, the
/// findings that need attention, section headings, wrapped paragraphs, tables (split across pages with their
/// header repeated), charts as vector graphics, and a footer with the run time and "page N of M" on every page.
///
/// Layout runs first (measuring text with Pango), then drawing, so page numbers know the page count.
public struct PDFRenderer: Sendable {
    /// Page size in points (A4 portrait by default).
    public var pageSize: Size
    /// Page margin in points.
    public var margin: Double

    /// Creates a renderer for pages of `pageSize` points with `margin`.
    public init(pageSize: Size = Size(width: 595.28, height: 841.89), margin: Double = 44) {
        self.pageSize = pageSize
        self.margin = margin
    }

    /// The PDF bytes of `report`.
    ///
    /// - Throws: ``ChartError`` when Cairo cannot create or finish the file.
    public func render(_ report: ExecutedReport) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-\(UUID().uuidString).pdf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(report, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Writes the PDF of `report` to `path`.
    public func write(_ report: ExecutedReport, to path: String) throws {
        let measure = try Canvas(width: 10, height: 10)
        var layout = PDFLayout(pageSize: pageSize, margin: margin, measure: measure)
        layout.titleBlock(report)
        if !report.attentionFindings.isEmpty { layout.attention(report.attentionFindings) }
        if !report.notices.isEmpty {
            layout.heading("Notes on this run", level: 2)
            for notice in report.notices { layout.listItem("•", notice) }
        }
        for section in HTMLRenderer.sectionsWithDefaults(report) {
            if let title = section.title { layout.heading(title, level: 1) }
            for item in section.items { layout.add(item) }
        }
        let canvas = try Canvas(pdfPath: path, pageSize: pageSize)
        let pages = layout.finishedPages
        for (index, page) in pages.enumerated() {
            if index > 0 { canvas.nextPage() }
            for op in page { op.draw(on: canvas) }
            layout.footer(page: index + 1, of: pages.count, runTime: report.runTime, name: report.name).forEach { $0.draw(on: canvas) }
        }
        try canvas.finish()
    }
}

// MARK: - Drawing operations

/// One thing to draw on a page, positioned by the layout pass.
enum PDFOp {
    case text(String, Point, Font, Color, TextAnchor)
    case paragraph(String, Rect, Font, Color, TextAnchor.Horizontal)
    case fill(Rect, Color)
    case line(Point, Point, Color, Double)
    case chart(any Chart, Rect)

    func draw(on canvas: Canvas) {
        switch self {
        case .text(let s, let p, let f, let c, let a): canvas.drawText(s, at: p, font: f, color: c, anchor: a)
        case .paragraph(let s, let r, let f, let c, let a): canvas.drawParagraph(s, in: r, font: f, color: c, alignment: a)
        case .fill(let r, let c): canvas.fill(r, color: c)
        case .line(let a, let b, let c, let w): canvas.line(from: a, to: b, color: c, style: .solid(w))
        case .chart(let chart, let r): chart.draw(on: canvas, in: r)
        }
    }
}

/// Flows blocks down pages, starting a new page when a block does not fit.
struct PDFLayout {
    let pageSize: Size
    let margin: Double
    let measure: Canvas
    private var pages: [[PDFOp]] = [[]]
    private var y: Double

    static let ink = Color(hex: 0x1F2328)
    static let muted = Color(hex: 0x5F6B7A)
    static let line = Color(hex: 0xD8DEE4)
    static let soft = Color(hex: 0xF5F7F9)
    static let firing = Color(hex: 0xC62828)
    static let body = Font(size: 9.5)
    static let small = Font(size: 8)
    static let footerHeight = 28.0

    init(pageSize: Size, margin: Double, measure: Canvas) {
        self.pageSize = pageSize
        self.margin = margin
        self.measure = measure
        self.y = margin
    }

    var width: Double { pageSize.width - 2 * margin }
    var bottom: Double { pageSize.height - margin - Self.footerHeight }
    var finishedPages: [[PDFOp]] { pages.last?.isEmpty == true && pages.count > 1 ? Array(pages.dropLast()) : pages }

    private mutating func emit(_ op: PDFOp) { pages[pages.count - 1].append(op) }

    private mutating func newPage() {
        pages.append([])
        y = margin
    }

    /// Starts a new page unless `height` fits below the cursor (a block taller than a page starts at the top anyway).
    private mutating func ensure(_ height: Double) {
        if y + height > bottom, y > margin + 1 { newPage() }
    }

    private func height(_ text: String, _ font: Font, _ wrap: Double) -> Double {
        measure.measure(text, font: font, wrapWidth: wrap).height
    }

    // MARK: - Blocks

    mutating func titleBlock(_ report: ExecutedReport) {
        let kicker = Font(size: 8)
        emit(.text("PAIRBOOK REPORT · \(report.name.uppercased())", Point(x: margin, y: y), kicker, Self.muted, .topLeading))
        y += 14
        let titleFont = Font(size: 19, weight: .bold)
        let h = height(report.title, titleFont, width)
        emit(.paragraph(report.title, Rect(x: margin, y: y, width: width, height: h), titleFont, Self.ink, .leading))
        y += h + 4
        if let subtitle = report.subtitle {
            let f = Font(size: 10.5)
            let sh = height(subtitle, f, width)
            emit(.paragraph(subtitle, Rect(x: margin, y: y, width: width, height: sh), f, Self.muted, .leading))
            y += sh + 4
        }
        let meta = "Data as of \(report.runTime.iso8601(.seconds)) · window \(report.window.start.iso8601(.seconds)) – "
            + "\(report.window.end.iso8601(.seconds)) (\(report.window.span)) · \(report.timeframe) bars"
        let mh = height(meta, Self.small, width)
        emit(.paragraph(meta, Rect(x: margin, y: y, width: width, height: mh), Self.small, Self.muted, .leading))
        y += mh + 8
        emit(.line(Point(x: margin, y: y), Point(x: margin + width, y: y), Self.line, 1))
        y += 10
    }

    mutating func attention(_ findings: [Finding]) {
        let lines = findings.map { f in
            "\(f.state.rawValue.uppercased()) · \(f.severity.rawValue) · \(f.rule) · \(f.subject) — \(f.summary)"
        }
        let textWidth = width - 24
        let heights = lines.map { height($0, Self.body, textWidth) }
        let boxHeight = 26 + heights.reduce(0) { $0 + $1 + 3 }
        ensure(boxHeight)
        emit(.fill(Rect(x: margin, y: y, width: width, height: boxHeight), Color(hex: 0xFFF6F6)))
        emit(.fill(Rect(x: margin, y: y, width: 4, height: boxHeight), Self.firing))
        emit(.text("Needs attention", Point(x: margin + 14, y: y + 7), Font(size: 11, weight: .bold), Self.ink, .topLeading))
        var ly = y + 24
        for (text, h) in zip(lines, heights) {
            emit(.paragraph(text, Rect(x: margin + 14, y: ly, width: textWidth, height: h), Self.body, Self.ink, .leading))
            ly += h + 3
        }
        y += boxHeight + 12
    }

    mutating func heading(_ text: String, level: Int) {
        let font = Font(size: level <= 1 ? 15 : level == 2 ? 12 : 10.5, weight: .bold)
        let h = height(text, font, width)
        ensure(h + (level <= 1 ? 220 : 60))  // keep a heading with what follows (a section usually opens with a chart)
        y += level <= 1 ? 10 : 6
        emit(.paragraph(text, Rect(x: margin, y: y, width: width, height: h), font, Self.ink, .leading))
        y += h + 3
        if level <= 1 {
            emit(.line(Point(x: margin, y: y), Point(x: margin + width, y: y), Self.line, 1.2))
            y += 6
        } else {
            y += 2
        }
    }

    mutating func paragraph(_ text: String, font: Font = PDFLayout.body, color: Color = PDFLayout.ink, indent: Double = 0) {
        let h = height(text, font, width - indent)
        ensure(h)
        emit(.paragraph(text, Rect(x: margin + indent, y: y, width: width - indent, height: h), font, color, .leading))
        y += h + 5
    }

    mutating func listItem(_ marker: String, _ text: String) {
        let h = height(text, Self.body, width - 16)
        ensure(h)
        emit(.text(marker, Point(x: margin + 4, y: y), Self.body, Self.ink, .topLeading))
        emit(.paragraph(text, Rect(x: margin + 16, y: y, width: width - 16, height: h), Self.body, Self.ink, .leading))
        y += h + 2
    }

    mutating func add(_ item: ReportItem) {
        switch item {
        case .prose(let prose):
            for block in MarkdownBlock.parse(prose.markdown) {
                switch block {
                case .heading(let level, let text): heading(prose.substituting(in: text) { $0 }, level: level + 1)
                case .paragraph(let text): paragraph(prose.substituting(in: text) { $0 })
                case .listItem(let marker, let text): listItem(marker, prose.substituting(in: text) { $0 })
                case .code(let text): paragraph(prose.substituting(in: text) { $0 }, font: Font(family: "DejaVu Sans Mono", size: 8.5))
                case .rule:
                    ensure(8)
                    emit(.line(Point(x: margin, y: y + 3), Point(x: margin + width, y: y + 3), Self.line, 0.8))
                    y += 8
                }
            }
            y += 3
        case .chart(let chart):
            let h = min(bottom - margin, max(210, Double(chart.height) * width / 1000 * 1.45))
            ensure(h + 6)
            emit(.chart(chart.chart, Rect(x: margin, y: y, width: width, height: h)))
            y += h + 4
            if let caption = chart.caption { paragraph(caption, font: Self.small, color: Self.muted) }
            y += 6
        case .table(let t):
            table(t)
        case .findings(let f):
            findingsTable(f)
        case .export(let e):
            if let title = e.title { heading(title, level: 3) }
            for file in e.files { listItem("•", "\(file.name) — \(file.description)") }
            y += 4
        case .notice(let text):
            paragraph(text, color: Self.muted)
        }
    }

    mutating func findingsTable(_ f: FindingsItem) {
        let title = f.title ?? (f.activeOnly ? "Active alerts" : "Findings")
        guard !f.findings.isEmpty else {
            heading(title, level: 3)
            paragraph(f.activeOnly ? "No alert needs attention." : "No alert rules evaluated.", color: Self.muted)
            return
        }
        let rows = f.findings.map { x in
            [x.state.rawValue + " (" + x.severity.rawValue + ")", x.rule + "\n" + x.subject, x.value.map { NumberFormat.auto($0) } ?? "n/a",
             (x.firedAt ?? x.firstBreach)?.iso8601(.seconds).replacingOccurrences(of: "T", with: " ") ?? "", x.duration?.description ?? "",
             String(x.breachCount), x.summary]
        }
        table(TableItem(title: title, columns: ["State", "Rule", "Value", "Since", "Duration", "Breaches", "Summary"],
                        numericColumns: [2, 4, 5], rows: rows))
    }

    /// A table with measured column widths fitted to the page; long cells wrap.
    mutating func table(_ t: TableItem) {
        if let title = t.title { heading(title, level: 3) }
        let font = Font(size: 8)
        let headFont = font.bold
        let padding = 4.0
        let count = t.columns.count
        guard count > 0 else { return }
        var natural = t.columns.map { measure.measure($0, font: headFont).width + 2 * padding }
        for row in t.rows {
            for (i, cell) in row.enumerated() where i < count {
                natural[i] = max(natural[i], measure.measure(cell, font: font).width + 2 * padding)
            }
        }
        // Auto layout as browsers do: every column gets at least its longest word, the rest of the width is
        // shared in proportion to how much more each column would like.
        let minimal = (0..<count).map { i -> Double in
            let cells = [t.columns[i]] + t.rows.compactMap { i < $0.count ? $0[i] : nil }
            let longestWord = cells.flatMap { $0.split(separator: " ") }.map { measure.measure(String($0), font: headFont).width }.max() ?? 0
            return min(natural[i], longestWord + 2 * padding)
        }
        var widths = natural
        let total = natural.reduce(0, +)
        if total > width {
            let spare = max(0, width - minimal.reduce(0, +))
            let wanted = zip(natural, minimal).map { $0 - $1 }.reduce(0, +)
            widths = (0..<count).map { minimal[$0] + (wanted > 0 ? (natural[$0] - minimal[$0]) * spare / wanted : 0) }
        } else if count > 2 || total > width * 0.6 {
            widths = natural.map { $0 * width / total }
        }
        func rowHeight(_ cells: [String], _ f: Font) -> Double {
            var h = 0.0
            for (i, cell) in cells.enumerated() where i < count {
                h = max(h, measure.measure(cell, font: f, wrapWidth: max(8, widths[i] - 2 * padding)).height)
            }
            return h + 2 * padding
        }
        let headerHeight = rowHeight(t.columns, headFont)
        func drawHeader(_ layout: inout PDFLayout) {
            layout.emit(.fill(Rect(x: layout.margin, y: layout.y, width: widths.reduce(0, +), height: headerHeight), Self.soft))
            var x = layout.margin
            for (i, column) in t.columns.enumerated() {
                let numeric = t.numericColumns.contains(i)
                layout.emit(.paragraph(column, Rect(x: x + padding, y: layout.y + padding, width: widths[i] - 2 * padding, height: headerHeight),
                                       headFont, Self.ink, numeric ? .trailing : .leading))
                x += widths[i]
            }
            layout.y += headerHeight
            layout.emit(.line(Point(x: layout.margin, y: layout.y), Point(x: layout.margin + widths.reduce(0, +), y: layout.y), Self.muted, 0.6))
        }
        ensure(headerHeight + rowHeight(t.rows.first ?? [], font))
        drawHeader(&self)
        for row in t.rows {
            let h = rowHeight(row, font)
            if y + h > bottom {
                newPage()
                drawHeader(&self)
            }
            var x = margin
            for (i, cell) in row.enumerated() where i < count {
                let numeric = t.numericColumns.contains(i)
                emit(.paragraph(cell, Rect(x: x + padding, y: y + padding, width: widths[i] - 2 * padding, height: h), font, Self.ink,
                                numeric ? .trailing : .leading))
                x += widths[i]
            }
            y += h
            emit(.line(Point(x: margin, y: y), Point(x: margin + widths.reduce(0, +), y: y), Self.line, 0.5))
        }
        y += 4
        if let caption = t.caption { paragraph(caption, font: Self.small, color: Self.muted) }
        y += 6
    }

    func footer(page: Int, of count: Int, runTime: Timestamp, name: String) -> [PDFOp] {
        let fy = pageSize.height - margin + 6
        return [
            .line(Point(x: margin, y: fy - 8), Point(x: margin + width, y: fy - 8), Self.line, 0.6),
            .text("pairbook · \(name) · data as of \(runTime.iso8601(.seconds))", Point(x: margin, y: fy), Self.small, Self.muted, .topLeading),
            .text("page \(page) of \(count)", Point(x: margin + width, y: fy), Self.small, Self.muted, .topTrailing),
        ]
    }
}
