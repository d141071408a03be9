import Foundation
import Market
import PostgresNIO

/// Trades on PostgreSQL are partitioned by time: `tick_rows` is a table partitioned by range of `ts`, one partition a
/// UTC day (`tick_rows_2024_07_18`), created as the first trade of a day is recorded (and the next day's with it, so
/// that a live collector never waits for one at midnight). Dropping a whole day of old trades is dropping a table
/// (``dropTickPartitions(before:)``), not deleting millions of rows.
extension PostgresStore {
    /// A partition's span: one UTC day.
    static let partitionSpan: Int64 = 86_400_000

    /// The day (days since 1970-01-01, UTC) that `milliseconds` falls in.
    static func partitionDay(_ milliseconds: Int64) -> Int64 {
        Timeframe.oneDay.barOpen(containing: Timestamp(milliseconds: milliseconds)).milliseconds / partitionSpan
    }

    /// `tick_rows_2024_07_18` for the day `day`.
    static func partitionName(day: Int64) -> String {
        "tick_rows_" + Timestamp(milliseconds: day * partitionSpan).iso8601(.date).replacingOccurrences(of: "-", with: "_")
    }

    /// The day of a partition named by ``partitionName(day:)``; nil for another name.
    static func partitionDay(name: String) -> Int64? {
        guard name.hasPrefix("tick_rows_"), name.count == "tick_rows_2024_07_18".count,
              let start = try? Timestamp(parsing: name.dropFirst("tick_rows_".count).replacingOccurrences(of: "_", with: "-"))
        else { return nil }
        return partitionDay(start.milliseconds)
    }

    /// Creates the partitions that trades of `ticks` need and do not have yet, and the day after the newest (each once
    /// per store; `CREATE TABLE IF NOT EXISTS` under an advisory lock, so several processes may race). In a transaction
    /// of its own, before the trades' own: creating a partition locks the parent table, briefly.
    func ensurePartitions(for ticks: [Tick]) async throws {
        var days = Set<Int64>()
        var last: Int64?
        for tick in ticks {
            let day = Self.partitionDay(tick.timestamp.milliseconds)
            if day != last, !partitionDays.contains(day) { days.insert(day) }
            last = day
        }
        guard !days.isEmpty, let newest = days.max() else { return }
        days.insert(newest + 1)
        let missing = days.subtracting(partitionDays).sorted()
        let logger = self.logger
        try await transaction("creating trade partitions") { connection in
            // 0x70627074 = "pbpt": pairbook's partition lock, released at commit.
            try await connection.query("SELECT pg_advisory_xact_lock(1885499508)", logger: logger)
            for day in missing {
                let name = Self.partitionName(day: day)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(name) PARTITION OF tick_rows
                    FOR VALUES FROM (\(day * Self.partitionSpan)) TO (\((day + 1) * Self.partitionSpan))
                    """), logger: logger)
            }
        }
        partitionDays.formUnion(missing)
    }

    /// The trade partitions, oldest first: each one's day and name.
    public func tickPartitions() async throws -> [(day: Timestamp, name: String)] {
        try await collect("listing trade partitions", """
            SELECT child.relname::text FROM pg_inherits
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            WHERE parent.relname = 'tick_rows' AND parent.relnamespace = current_schema()::regnamespace
            """) { try $0.decode(String.self) }
            .compactMap { name in Self.partitionDay(name: name).map { (Timestamp(milliseconds: $0 * Self.partitionSpan), name) } }
            .sorted { $0.day < $1.day }
    }

    /// Drops the trade partitions whose whole day lies before `cutoff` (`--keep-ticks-for` on PostgreSQL: trades go by
    /// whole days; bars stay). Returns the trades removed, counted before each drop.
    /// - Throws: ``PostgresStoreError/query(operation:message:)``; partitions dropped before the failure stay dropped.
    @discardableResult
    public func dropTickPartitions(before cutoff: Timestamp) async throws -> Int {
        var removed = 0
        let logger = self.logger
        for (day, name) in try await tickPartitions() where day.milliseconds + Self.partitionSpan <= cutoff.milliseconds {
            removed += try await transaction("dropping the trades of \(day.iso8601(.date))") { connection in
                var count = 0
                for try await rows in try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(name)"), logger: logger)
                    .decode(Int64.self) { count = Int(rows) }
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
                return count
            }
            partitionDays.remove(Self.partitionDay(day.milliseconds))
        }
        return removed
    }
}
