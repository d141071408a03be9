import GRDB
import Market

/// One row of `report_runs`: a report execution with its parameters, duration, status and outputs.
public struct ReportRunRecord: Sendable, Hashable {
    /// The row id (`report_runs.id`).
    public var id: Int64
    /// The script path as given.
    public var script: String
    /// Parameter values as a JSON object.
    public var params: String
    /// Wall-clock start, UTC.
    public var startedAt: Timestamp
    /// Wall-clock end, UTC, once finished.
    public var finishedAt: Timestamp?
    /// `running`, `ok`, `alert` (finished with firing alerts) or `failed`.
    public var status: String
    /// Written files as a JSON array.
    public var outputs: String?
    /// The error of a failed run.
    public var error: String?
}

extension Store {
    /// Records the start of a report run with status `running`.
    ///
    /// - Returns: the run id (for ``finishReportRun(id:finishedAt:status:outputs:error:)`` and `alert_events.report_run`).
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func beginReportRun(script: String, params: String, startedAt: Timestamp) throws -> Int64 {
        try write { tx in
            try tx.database.execute(
                sql: "INSERT INTO report_runs (script, params, started_at, status) VALUES (?, ?, ?, 'running')",
                arguments: [script, params, startedAt.milliseconds])
            return tx.database.lastInsertedRowID
        }
    }

    /// Records how a report run ended.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func finishReportRun(id: Int64, finishedAt: Timestamp, status: String, outputs: String?, error: String?) throws {
        try write { tx in
            try tx.database.execute(
                sql: "UPDATE report_runs SET finished_at = ?, status = ?, outputs = ?, error = ? WHERE id = ?",
                arguments: [finishedAt.milliseconds, status, outputs, error, id])
        }
    }

    /// The runs of `script` (all scripts when nil), newest first, at most `limit`.
    public func reportRuns(script: String? = nil, limit: Int = 100) throws -> [ReportRunRecord] {
        try read("reading report runs") { db in
            var sql = "SELECT id, script, params, started_at, finished_at, status, outputs, error FROM report_runs"
            var arguments: StatementArguments = []
            if let script {
                sql += " WHERE script = ?"
                arguments = [script]
            }
            sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let finished: Int64? = row[4]
                return ReportRunRecord(
                    id: row[0], script: row[1], params: row[2], startedAt: Timestamp(milliseconds: row[3]),
                    finishedAt: finished.map(Timestamp.init(milliseconds:)), status: row[5], outputs: row[6], error: row[7])
            }
        }
    }

    /// When `script` last ran to the end (status `ok` or `alert`): the start time of its newest such run, or nil.
    ///
    /// For the scheduler's missed-run lookup. Uses the `(script, started_at)` index.
    public func lastReportRun(script: String) async throws -> Timestamp? {
        try await read("reading report runs") { db in
            try Int64.fetchOne(db, sql: """
                SELECT MAX(started_at) FROM report_runs WHERE script = ? AND status IN ('ok', 'alert')
                """, arguments: [script]).map(Timestamp.init(milliseconds:))
        }
    }
}
