import GRDB
import Market

/// One row of `analytics_results`: the analysis of a pair at one bar.
///
/// Rolling values (hedge ratio, intercept, z-score, correlation, spread mean/std) are `nil` (SQL NULL) until
/// their window is full; whole-window values (ADF, half-life) repeat on every row of one analysis run.
public struct AnalyticsResultRecord: Sendable, Hashable {
    /// `BTCUSDT/ETHUSDT`.
    public var symbolPair: String
    public var timeframe: Timeframe
    /// Bar open time, UTC.
    public var time: Timestamp
    public var hedgeRatio: Double?
    public var intercept: Double?
    public var spread: Double?
    public var zScore: Double?
    public var correlation: Double?
    public var adfStatistic: Double?
    public var adfPValue: Double?
    public var spreadMean: Double?
    public var spreadStd: Double?
    /// In bars.
    public var halfLife: Double?

    public init(symbolPair: String, timeframe: Timeframe, time: Timestamp, hedgeRatio: Double?, intercept: Double?,
                spread: Double?, zScore: Double?, correlation: Double?, adfStatistic: Double?, adfPValue: Double?,
                spreadMean: Double?, spreadStd: Double?, halfLife: Double?) {
        self.symbolPair = symbolPair
        self.timeframe = timeframe
        self.time = time
        self.hedgeRatio = hedgeRatio
        self.intercept = intercept
        self.spread = spread
        self.zScore = zScore
        self.correlation = correlation
        self.adfStatistic = adfStatistic
        self.adfPValue = adfPValue
        self.spreadMean = spreadMean
        self.spreadStd = spreadStd
        self.halfLife = halfLife
    }
}

extension Store {
    /// Stores the rows of one analysis run of `symbolPair` at `timeframe`, replacing any stored rows of that pair and
    /// timeframe whose time lies between the first and last row's (so re-running an analysis stores nothing twice).
    ///
    /// One transaction; O(rows) inserts using the `(symbol_pair, timeframe, ts)` index for the delete.
    /// - Returns: how many rows were written.
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    @discardableResult
    public func replaceAnalyticsResults(_ rows: [AnalyticsResultRecord], symbolPair: String, timeframe: Timeframe) throws -> Int {
        guard let first = rows.map(\.time).min(), let last = rows.map(\.time).max() else { return 0 }
        return try write { tx in
            try tx.database.execute(sql: """
                DELETE FROM analytics_results WHERE symbol_pair = ? AND timeframe = ? AND ts >= ? AND ts <= ?
                """, arguments: [symbolPair, timeframe.description, first.milliseconds, last.milliseconds])
            let statement = try tx.database.cachedStatement(sql: """
                INSERT INTO analytics_results (symbol_pair, timeframe, ts, hedge_ratio, intercept, spread, z_score, correlation,
                    adf_statistic, adf_pvalue, spread_mean, spread_std, half_life)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in rows {
                try statement.execute(arguments: [
                    r.symbolPair, r.timeframe.description, r.time.milliseconds, r.hedgeRatio, r.intercept, r.spread, r.zScore,
                    r.correlation, r.adfStatistic, r.adfPValue, r.spreadMean, r.spreadStd, r.halfLife,
                ])
            }
            return rows.count
        }
    }

    /// The stored rows of `symbolPair` at `timeframe` in `range`, oldest first.
    public func analyticsResults(symbolPair: String, timeframe: Timeframe, in range: TimeRange) throws -> [AnalyticsResultRecord] {
        try read("reading analytics results") { db in
            try Row.fetchAll(db, sql: """
                SELECT ts, hedge_ratio, intercept, spread, z_score, correlation, adf_statistic, adf_pvalue, spread_mean,
                    spread_std, half_life
                FROM analytics_results WHERE symbol_pair = ? AND timeframe = ? AND ts >= ? AND ts < ? ORDER BY ts, id
                """, arguments: [symbolPair, timeframe.description, range.start.milliseconds, range.end.milliseconds]).map { row in
                AnalyticsResultRecord(
                    symbolPair: symbolPair, timeframe: timeframe, time: Timestamp(milliseconds: row[0]), hedgeRatio: row[1],
                    intercept: row[2], spread: row[3], zScore: row[4], correlation: row[5], adfStatistic: row[6],
                    adfPValue: row[7], spreadMean: row[8], spreadStd: row[9], halfLife: row[10])
            }
        }
    }
}
