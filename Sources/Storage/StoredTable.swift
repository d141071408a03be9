/// One of the small tables whose rows have a row id (rules, runs, alert events, analytics, gaps), described once for
/// copying rows between stores of either kind (`pairbook migrate`).
///
/// Row ids are not copied: each store numbers its own rows. A row's identity across stores is its ``naturalKey``
/// (a rule's name, a run's script, parameters and start, …), and a column that holds another table's row id
/// (``reference``) is mapped through that table's natural key.
public struct StoredTable: Sendable, Hashable, CustomStringConvertible {
    /// The SQL type of a column, as far as copying needs it.
    public enum ColumnType: Sendable, Hashable { case integer, real, text, boolean }

    /// A column: its name and type.
    public struct Column: Sendable, Hashable {
        public let name: String
        public let type: ColumnType
        public init(_ name: String, _ type: ColumnType) {
            self.name = name
            self.type = type
        }
    }

    /// The table name (the same in SQLite and PostgreSQL).
    public let name: String
    /// The copied columns (every column but `id`), in order.
    public let columns: [Column]
    /// Positions in ``columns`` of the columns that identify a row in any store.
    public let naturalKey: [Int]
    /// A column holding a row id of another table: its position in ``columns`` and that table's name.
    public let reference: (column: Int, table: String)?

    public var description: String { name }

    /// A column list for SQL: `a, b, c`.
    public var columnList: String { columns.map(\.name).joined(separator: ", ") }
    /// The natural key's columns for SQL: `a, b`.
    public var naturalKeyList: String { naturalKey.map { columns[$0].name }.joined(separator: ", ") }

    init(_ name: String, _ columns: [Column], key: [String], reference: (column: String, table: String)? = nil) {
        self.name = name
        self.columns = columns
        self.naturalKey = key.map { Self.position(of: $0, in: columns) }
        self.reference = reference.map { (Self.position(of: $0.column, in: columns), $0.table) }
    }

    private static func position(of name: String, in columns: [Column]) -> Int {
        guard let index = columns.firstIndex(where: { $0.name == name }) else { preconditionFailure("no column \(name)") }
        return index
    }

    public static func == (a: StoredTable, b: StoredTable) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    // MARK: - The tables

    /// `alert_rules`: a rule is its name (unique there).
    public static let alertRules = StoredTable("alert_rules", [
        Column("name", .text), Column("definition", .text), Column("enabled", .boolean), Column("created_at", .integer),
        Column("updated_at", .integer),
    ], key: ["name"])

    /// `report_runs`: a run is its script, parameters and start time. A scheduled run's claimed `slot` comes along (so
    /// no worker on the destination makes that slot again), with the claimant's host and pid.
    public static let reportRuns = StoredTable("report_runs", [
        Column("script", .text), Column("params", .text), Column("started_at", .integer), Column("finished_at", .integer),
        Column("status", .text), Column("outputs", .text), Column("error", .text), Column("slot", .text),
        Column("claim_host", .text), Column("claim_pid", .integer),
    ], key: ["script", "params", "started_at"])

    /// `alert_events`: a transition is its alert (source, rule, subject), state and time — the key by which
    /// `Store.recordAlertEvents` already refuses to store one twice. `report_run` points into `report_runs`.
    public static let alertEvents = StoredTable("alert_events", [
        Column("source", .text), Column("rule", .text), Column("symbol_pair", .text), Column("metric", .text),
        Column("value", .real), Column("threshold", .real), Column("state", .text), Column("ts", .integer),
        Column("report_run", .integer),
    ], key: ["source", "rule", "symbol_pair", "state", "ts"], reference: ("report_run", "report_runs"))

    /// `analytics_results`: a row is its pair, timeframe and bar time (an analysis replaces the rows of its span).
    public static let analyticsResults = StoredTable("analytics_results", [
        Column("symbol_pair", .text), Column("timeframe", .text), Column("ts", .integer), Column("hedge_ratio", .real),
        Column("intercept", .real), Column("spread", .real), Column("z_score", .real), Column("correlation", .real),
        Column("adf_statistic", .real), Column("adf_pvalue", .real), Column("spread_mean", .real), Column("spread_std", .real),
        Column("half_life", .real),
    ], key: ["symbol_pair", "timeframe", "ts"])

    /// `stream_gaps`: a gap is its symbol and the last trade id before it (as `markGapFilled` finds it).
    public static let streamGaps = StoredTable("stream_gaps", [
        Column("symbol", .text), Column("from_trade_id", .integer), Column("to_trade_id", .integer), Column("from_ts", .integer),
        Column("to_ts", .integer), Column("detected_at", .integer), Column("filled_at", .integer),
    ], key: ["symbol", "from_trade_id"])

    /// Every such table, a referenced table before the tables that refer to it.
    public static let all: [StoredTable] = [alertRules, reportRuns, alertEvents, analyticsResults, streamGaps]
}

/// One value of a ``StoredTable`` column, as moved between stores.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case boolean(Bool)
}

/// A row of a ``StoredTable``: its id in the store it was read from, and its values (all columns, or only the
/// natural key's, as the read says).
public struct StoredRow: Sendable, Hashable {
    public var id: Int64
    public var values: [StoredValue]

    public init(id: Int64, values: [StoredValue]) {
        self.id = id
        self.values = values
    }
}
