import Alerts
import Market

/// A fenced ```` ```pairbook ```` block of a script: its YAML body decoded into one typed cell.
///
/// The cell type is the one key among `chart`, `table`, `findings`, `quality`, `export`; the other keys
/// are that type's options. Strings may contain `{{placeholders}}`, resolved when the cell runs.
public struct Cell: Sendable, Hashable {
    /// What the cell produces.
    public enum Kind: Sendable, Hashable {
        case chart(ChartCell)
        case table(TableCell)
        case findings(FindingsCell)
        case quality(QualityCell)
        case export(ExportCell)
    }

    /// The cell's type and options.
    public var kind: Kind
    /// Line of the opening fence.
    public var location: SourceLocation

    /// The type keys, in documentation order.
    public static let types = ["chart", "table", "findings", "quality", "export"]

    /// A short label for progress output, e.g. `chart zscore`.
    public var label: String {
        switch kind {
        case .chart(let c): "chart \(c.chart.rawValue)"
        case .table(let t): "table \(t.table.rawValue)"
        case .findings: "findings"
        case .quality: "quality"
        case .export: "export"
        }
    }
}

/// A list of texts written either as a YAML sequence or as one comma-separated string (`"{{symbols}}"`).
public struct TextList: Sendable, Hashable, Codable {
    /// The texts, each possibly holding placeholders and commas.
    public var items: [String]

    /// A list of the given texts.
    public init(_ items: [String]) { self.items = items }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            items = [one]
        } else {
            items = try container.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(items)
    }
}

// MARK: - Chart

/// `chart: <kind>` — a chart, embedded as PNG in HTML and drawn as vectors in the PDF.
public struct ChartCell: Sendable, Hashable, Decodable {
    /// The chart kinds.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// OHLC candles with volume of `symbol`.
        case candlestick
        /// Closes of `symbols` rebased to 100.
        case prices
        /// Spread of `pair` with rolling mean and σ bands.
        case spread
        /// Rolling z-score of `pair`'s spread with ±`threshold` lines.
        case zscore
        /// Rolling correlation of `pair`.
        case correlation
        /// Rolling hedge ratio of `pair`.
        case hedgeRatio = "hedge_ratio"
        /// Correlation heatmap of the log returns of `symbols`.
        case heatmap
    }

    /// Which chart.
    public var chart: Kind
    /// The symbol of a candlestick chart (default: the report's base).
    public var symbol: String?
    /// The pair of spread, z-score, correlation and hedge-ratio charts (default: the report's pair).
    public var pair: String?
    /// The symbols of prices and heatmap charts (`all` = every stored symbol).
    public var symbols: TextList?
    /// A title instead of the chart's own.
    public var title: String?
    /// The ± threshold lines of a z-score chart (default: the `z_threshold` parameter, else 2).
    public var threshold: Double?
    /// Height in CSS pixels of the image (the width is 1000); PDF charts scale to the page width.
    public var height: Int?
    /// A caption below the chart.
    public var caption: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case chart, symbol, pair, symbols, title, threshold, height, caption
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "chart cell")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try c.decode(String.self, forKey: .chart)
        guard let kind = Kind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(forKey: .chart, in: c, debugDescription:
                "unknown chart '\(kindText)': expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        chart = kind
        symbol = try c.decodeIfPresent(String.self, forKey: .symbol)
        pair = try c.decodeIfPresent(String.self, forKey: .pair)
        symbols = try c.decodeIfPresent(TextList.self, forKey: .symbols)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        height = try c.decodeIfPresent(Int.self, forKey: .height)
        caption = try c.decodeIfPresent(String.self, forKey: .caption)
        if let height, !(120...1200).contains(height) {
            throw DecodingError.dataCorruptedError(forKey: .height, in: c, debugDescription: "height \(height): expected 120 to 1200 pixels")
        }
    }
}

// MARK: - Table

/// `table: <kind>` — a table of statistics or bars.
public struct TableCell: Sendable, Hashable, Decodable {
    /// The table kinds.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Hedge regression, spread, correlation, half-life, z of `pair`.
        case pairStats = "pair_stats"
        /// ADF test of `pair`'s spread with critical values.
        case adf
        /// Liquidity of `symbols` (volume, trades, VWAP, Amihud, Roll spread).
        case liquidity
        /// The last `rows` bars of `symbol`.
        case bars
        /// Correlation matrix of the log returns of `symbols`.
        case correlationMatrix = "correlation_matrix"
        /// One line per pair of `pairs`: β, correlation, ADF p-value, half-life, z.
        case pairs
    }

    /// Which table.
    public var table: Kind
    /// The pair of `pair_stats` and `adf` (default: the report's pair).
    public var pair: String?
    /// The pairs of a `pairs` table (default: the `pairs` parameter).
    public var pairs: TextList?
    /// The symbol of a `bars` table.
    public var symbol: String?
    /// The symbols of `liquidity` and `correlation_matrix` tables.
    public var symbols: TextList?
    /// How many of the last bars a `bars` table shows (1–500, default 10).
    public var rows: Int?
    /// A title instead of the table's own.
    public var title: String?
    /// A caption below the table.
    public var caption: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case table, pair, pairs, symbol, symbols, rows, title, caption
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "table cell")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try c.decode(String.self, forKey: .table)
        guard let kind = Kind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(forKey: .table, in: c, debugDescription:
                "unknown table '\(kindText)': expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        table = kind
        pair = try c.decodeIfPresent(String.self, forKey: .pair)
        pairs = try c.decodeIfPresent(TextList.self, forKey: .pairs)
        symbol = try c.decodeIfPresent(String.self, forKey: .symbol)
        symbols = try c.decodeIfPresent(TextList.self, forKey: .symbols)
        rows = try c.decodeIfPresent(Int.self, forKey: .rows)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        caption = try c.decodeIfPresent(String.self, forKey: .caption)
        if let rows, !(1...500).contains(rows) {
            throw DecodingError.dataCorruptedError(forKey: .rows, in: c, debugDescription: "rows \(rows): expected 1 to 500")
        }
    }
}

// MARK: - Findings, quality, export

/// `findings: all | active` — the alert findings of the run (`active`: only those needing attention).
public struct FindingsCell: Sendable, Hashable, Decodable {
    /// Which findings are shown.
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable { case all, active }
    /// `all`, or `active` for those needing attention.
    public var findings: Scope
    /// A heading for the table.
    public var title: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case findings, title }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "findings cell")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .findings)
        guard let scope = Scope(rawValue: text) else {
            throw DecodingError.dataCorruptedError(forKey: .findings, in: c, debugDescription: "findings '\(text)': expected all or active")
        }
        findings = scope
        title = try c.decodeIfPresent(String.self, forKey: .title)
    }
}

/// `quality: all | [gaps, missing_bars, staleness]` — data-quality checks of `symbols` (default: those of the report).
public struct QualityCell: Sendable, Hashable, Decodable {
    /// The checks a quality cell can run.
    public enum Check: String, Sendable, Hashable, Codable, CaseIterable {
        /// Recorded holes in the trade stream.
        case gaps
        /// Bars missing in the window (intervals without a trade).
        case missingBars = "missing_bars"
        /// Time since the newest bar at the run time.
        case staleness
    }

    /// The checks, in table order.
    public var checks: [Check]
    /// The symbols checked (default: the report's).
    public var symbols: TextList?
    /// A heading for the table.
    public var title: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case quality, symbols, title }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "quality cell")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let list = try c.decode(TextList.self, forKey: .quality).items
        if list == ["all"] {
            checks = Check.allCases
        } else {
            checks = try list.map { text in
                guard let check = Check(rawValue: text) else {
                    throw DecodingError.dataCorruptedError(forKey: .quality, in: c, debugDescription:
                        "quality check '\(text)': expected all or a list of \(Check.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return check
            }
        }
        symbols = try c.decodeIfPresent(TextList.self, forKey: .symbols)
        title = try c.decodeIfPresent(String.self, forKey: .title)
    }
}

/// `export: [bars, analytics, findings]` — the CSV files the run writes (with `csv` among the formats).
public struct ExportCell: Sendable, Hashable, Decodable {
    /// The CSV files a report can write.
    public enum File: String, Sendable, Hashable, Codable, CaseIterable { case bars, analytics, findings }
    /// The files, in listing order.
    public var files: [File]
    /// A heading for the list of files.
    public var title: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case export, title }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases.map(\.rawValue), in: "export cell")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let list = try c.decode(TextList.self, forKey: .export).items
        files = try (list == ["all"] ? File.allCases.map(\.rawValue) : list).map { text in
            guard let file = File(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .export, in: c, debugDescription:
                    "export '\(text)': expected all or a list of bars, analytics, findings")
            }
            return file
        }
        title = try c.decodeIfPresent(String.self, forKey: .title)
    }
}
