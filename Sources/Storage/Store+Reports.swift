import GRDB
import Market

/// How a report run stands, as stored in `report_runs.status`.
public enum ReportRunStatus: String, Sendable, Hashable, Codable, CaseIterable, DatabaseValueConvertible {
    /// Started, not finished (or the process died during it).
    case running
    /// Finished without firing alerts.
    case ok
    /// Finished with at least one firing alert.
    case alert
    /// Failed; ``ReportRunRecord/error`` says why.
    case failed
    /// Finished, but a delivery (folder, e-mail) failed; ``ReportRunRecord/error`` says which.
    case deliveryFailed = "delivery_failed"

    /// Ran to the end (the scheduler's "last run" counts these).
    public var isComplete: Bool { self == .ok || self == .alert }

    /// Whether a claimed report slot may be taken over by `worker` at `time`: its run failed, or it is still
    /// `running` but started more than `staleAfter` ago or its claimant (`host`, `pid`) is a gone process of this host.
    /// The rule of both stores' `claimReportSlot`.
    public static func isAbandonedClaim(status: ReportRunStatus?, startedAt: Timestamp, host: String, pid: Int64, seenBy worker: LeaseHolder,
                                        at time: Timestamp, staleAfter: TimeSpan) -> Bool {
        status == .failed || status == .running && (startedAt < time - staleAfter || worker.seesGone(host: host, pid: pid))
    }
}

/// One row of `report_runs`: a report execution with its parameters, duration, status and outputs.
public struct ReportRunRecord: Sendable, Hashable, FetchableRecord, TableRecord {
    public static let databaseTableName = "report_runs"
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
    public var status: ReportRunStatus
    /// Written files as a JSON array.
    public var outputs: String?
    /// The error of a failed run.
    public var error: String?

    public init(row: Row) throws {
        id = row["id"]
        script = row["script"]
        params = row["params"]
        startedAt = Timestamp(milliseconds: row["started_at"])
        finishedAt = (row["finished_at"] as Int64?).map(Timestamp.init(milliseconds:))
        status = row["status"]
        outputs = row["outputs"]
        error = row["error"]
    }
}

extension Store {
    /// Records the start of a report run with status `running`.
    ///
    /// - Returns: the run id (for ``finishReportRun(id:finishedAt:status:outputs:error:)`` and `alert_events.report_run`).
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func beginReportRun(script: String, params: String, startedAt: Timestamp) throws -> Int64 {
        try write { tx in
            try tx.database.execute(
                sql: "INSERT INTO report_runs (script, params, started_at, status) VALUES (?, ?, ?, ?)",
                arguments: [script, params, startedAt.milliseconds, ReportRunStatus.running])
            return tx.database.lastInsertedRowID
        }
    }

    /// Claims a scheduled report's `slot` (e.g. `pair-overview 2026-12-03T10:00:00Z`) for `worker` and records the
    /// run's start, as ``beginReportRun(script:params:startedAt:)`` does: two workers on one database make each slot
    /// once (`report_runs.slot` is unique). A claim is taken over when its run failed, or when it is still `running`
    /// but its worker is a dead process of this host or it started more than `staleAfter` ago (its worker died
    /// elsewhere).
    ///
    /// - Returns: the run id, or nil when another worker holds the slot.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func claimReportSlot(_ slot: String, script: String, params: String, startedAt: Timestamp, worker: LeaseHolder,
                                staleAfter: TimeSpan) throws -> Int64? {
        try write { tx in
            let db = tx.database
            try db.execute(sql: """
                INSERT INTO report_runs (script, params, started_at, status, slot, claim_host, claim_pid) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (slot) WHERE slot IS NOT NULL DO NOTHING
                """, arguments: [script, params, startedAt.milliseconds, ReportRunStatus.running, slot, worker.host, worker.pid])
            if db.changesCount > 0 { return db.lastInsertedRowID }
            guard let held = try Row.fetchOne(db, sql: """
                SELECT id, status, started_at, claim_host, claim_pid FROM report_runs WHERE slot = ?
                """, arguments: [slot]) else { return nil }
            let status: ReportRunStatus? = held["status"]
            let started: Int64 = held["started_at"]
            guard ReportRunStatus.isAbandonedClaim(status: status, startedAt: Timestamp(milliseconds: started), host: held["claim_host"] ?? "",
                                                   pid: held["claim_pid"] ?? 0, seenBy: worker, at: startedAt, staleAfter: staleAfter)
            else { return nil }
            try db.execute(sql: """
                UPDATE report_runs SET script = ?, params = ?, started_at = ?, finished_at = NULL, status = ?, outputs = NULL,
                    error = NULL, claim_host = ?, claim_pid = ?
                WHERE id = ? AND status = ? AND started_at = ?
                """, arguments: [script, params, startedAt.milliseconds, ReportRunStatus.running, worker.host, worker.pid,
                                 held["id"] as Int64, status, started])
            return db.changesCount > 0 ? held["id"] : nil
        }
    }

    /// Records how a report run ended.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func finishReportRun(id: Int64, finishedAt: Timestamp, status: ReportRunStatus, outputs: String?, error: String?) throws {
        try write { tx in
            try tx.database.execute(
                sql: "UPDATE report_runs SET finished_at = ?, status = ?, outputs = ?, error = ? WHERE id = ?",
                arguments: [finishedAt.milliseconds, status, outputs, error, id])
        }
    }

    /// The runs of `script` (all scripts when nil), newest first, at most `limit`.
    public func reportRuns(script: String? = nil, limit: Int = 100) throws -> [ReportRunRecord] {
        try read("reading report runs") { db in
            var request = ReportRunRecord.all()
            if let script { request = request.filter(Column("script") == script) }
            return try request.order(Column("started_at").desc, Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// When `script` last ran to the end (status ``ReportRunStatus/isComplete``): the start time of its newest such run, or nil.
    ///
    /// For the scheduler's missed-run lookup. Uses the `(script, started_at)` index.
    public func lastReportRun(script: String) async throws -> Timestamp? {
        try await read("reading report runs") { db in
            try Int64.fetchOne(db, sql: """
                SELECT MAX(started_at) FROM report_runs WHERE script = ? AND status IN (?, ?)
                """, arguments: [script, ReportRunStatus.ok, ReportRunStatus.alert]).map(Timestamp.init(milliseconds:))
        }
    }
}
