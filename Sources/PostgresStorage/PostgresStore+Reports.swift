import Market
import PostgresNIO
import Storage

// Report runs (`report_runs`) on PostgreSQL, with the SQLite store's slot claims (`Store+Reports`): several report
// workers on one database make each scheduled slot once.

extension PostgresStore {
    /// Records the start of an unclaimed report run (on demand) with status `running`; returns its id.
    public func beginReportRun(script: String, params: String, startedAt: Timestamp) async throws -> Int64 {
        let rows = try await run("recording a report run", """
            INSERT INTO report_runs (script, params, started_at, status) VALUES (\(script), \(params), \(startedAt.milliseconds), 'running')
            RETURNING id
            """)
        return try await Self.firstID(rows, "recording a report run") ?? 0
    }

    /// Claims a scheduled report's `slot` for `worker` and records the run's start, with the SQLite store's rules
    /// (``Storage/Store/claimReportSlot(_:script:params:startedAt:worker:staleAfter:)``): a claim is taken over when
    /// its run failed, or when it is still `running` but its worker is a dead process of this host or it started more
    /// than `staleAfter` ago.
    ///
    /// - Returns: the run id, or nil when another worker holds the slot.
    public func claimReportSlot(_ slot: String, script: String, params: String, startedAt: Timestamp, worker: LeaseHolder,
                                staleAfter: TimeSpan) async throws -> Int64? {
        let inserted = try await run("claiming a report slot", """
            INSERT INTO report_runs (script, params, started_at, status, slot, claim_host, claim_pid)
            VALUES (\(script), \(params), \(startedAt.milliseconds), 'running', \(slot), \(worker.host), \(worker.pid))
            ON CONFLICT (slot) WHERE slot IS NOT NULL DO NOTHING RETURNING id
            """)
        if let id = try await Self.firstID(inserted, "claiming a report slot") { return id }
        let held = try await run("reading a report slot", """
            SELECT id, status, started_at, coalesce(claim_host, ''), coalesce(claim_pid, 0) FROM report_runs WHERE slot = \(slot)
            """)
        var claim: (id: Int64, status: String, started: Int64, host: String, pid: Int64)?
        do {
            for try await row in held.decode((Int64, String, Int64, String, Int64).self) { claim = row }
        } catch {
            throw PostgresStoreError.query(operation: "reading a report slot", message: Self.message(of: error))
        }
        guard let claim else { return nil }
        guard ReportRunStatus.isAbandonedClaim(status: ReportRunStatus(rawValue: claim.status), startedAt: Timestamp(milliseconds: claim.started),
                                               host: claim.host, pid: claim.pid, seenBy: worker, at: startedAt, staleAfter: staleAfter)
        else { return nil }
        // Taken over only if no one else took it over since it was read.
        let updated = try await run("taking over a report slot", """
            UPDATE report_runs SET script = \(script), params = \(params), started_at = \(startedAt.milliseconds), finished_at = NULL,
                status = 'running', outputs = NULL, error = NULL, claim_host = \(worker.host), claim_pid = \(worker.pid)
            WHERE id = \(claim.id) AND status = \(claim.status) AND started_at = \(claim.started)
            RETURNING id
            """)
        return try await Self.firstID(updated, "taking over a report slot")
    }

    /// Records how a report run ended.
    public func finishReportRun(id: Int64, finishedAt: Timestamp, status: ReportRunStatus, outputs: String?, error: String?) async throws {
        try await run("recording the end of a report run", """
            UPDATE report_runs SET finished_at = \(finishedAt.milliseconds), status = \(status.rawValue), outputs = \(outputs),
                error = \(error)
            WHERE id = \(id)
            """)
    }

    /// When `script` last ran to the end (status ok or alert): the start time of its newest such run, or nil (the
    /// scheduler's missed-run lookup, as on SQLite).
    public func lastReportRun(script: String) async throws -> Timestamp? {
        try await collect("reading report runs", """
            SELECT max(started_at) FROM report_runs WHERE script = \(script)
              AND status IN (\(ReportRunStatus.ok.rawValue), \(ReportRunStatus.alert.rawValue))
            """) { try $0.decode(Int64?.self) }.first?.map(Timestamp.init(milliseconds:))
    }

    /// Nil when the database answers a query, else why not (`pairbook run`'s health check).
    public func probe() async -> String? {
        do {
            _ = try await collect("probing the database", "SELECT 1") { try $0.decode(Int32.self) }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The runs' ids, statuses and slots, newest first (for tests and `pairbook status`).
    public func reportRunSlots() async throws -> [(id: Int64, status: String, slot: String?)] {
        let rows = try await run("reading report runs", "SELECT id, status, slot FROM report_runs ORDER BY started_at DESC, id DESC")
        var runs: [(id: Int64, status: String, slot: String?)] = []
        do {
            for try await row in rows.decode((Int64, String, String?).self) { runs.append(row) }
        } catch {
            throw PostgresStoreError.query(operation: "reading report runs", message: Self.message(of: error))
        }
        return runs
    }

    private static func firstID(_ rows: PostgresRowSequence, _ operation: String) async throws -> Int64? {
        do {
            for try await id in rows.decode(Int64.self) { return id }
        } catch {
            throw PostgresStoreError.query(operation: operation, message: message(of: error))
        }
        return nil
    }
}
