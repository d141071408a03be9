import GRDB

extension Store {
    /// The schema, as migrations that are never edited once shipped (add new ones instead).
    ///
    /// Table and column names follow DESIGN.md; timestamps are INTEGER ms since the epoch, UTC.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-schema") { db in
            // Symbols by a small integer id, so that the key of every stored trade is three integers.
            try db.create(table: "symbols") { t in
                t.primaryKey("id", .integer)
                t.column("name", .text).notNull().unique()
            }

            // Trades, one B-tree per trade: WITHOUT ROWID, clustered on (symbol_id, ts, trade_id). That key is both
            // the identity of a trade (re-importing it changes nothing; Binance never gives one trade id two
            // times) and the time order that tick reads scan, so no second index is written per trade — the
            // import hot path. Storage writes and reads this table; everyone else reads the `tick_data` view.
            try db.create(table: "tick_rows", options: [.withoutRowID]) { t in
                t.column("symbol_id", .integer).notNull()  // symbols.id (no FOREIGN KEY: a check per trade; Storage is the only writer)
                t.column("ts", .integer).notNull()
                t.column("trade_id", .integer).notNull()
                t.column("price", .double).notNull()
                t.column("quantity", .double).notNull()
                t.column("is_buyer_maker", .boolean).notNull()
                t.primaryKey(["symbol_id", "ts", "trade_id"])
            }
            // DESIGN's `tick_data` with its columns, for SQL outside Storage (sqlite3, pandas, Store+<Area> files).
            // `WHERE symbol = ? AND ts …` and `ORDER BY ts, trade_id` use the key; ordering by trade_id alone sorts.
            try db.execute(sql: """
                CREATE VIEW tick_data (symbol, trade_id, ts, price, quantity, is_buyer_maker) AS
                SELECT symbols.name, tick_rows.trade_id, tick_rows.ts, tick_rows.price, tick_rows.quantity,
                       tick_rows.is_buyer_maker
                FROM tick_rows JOIN symbols ON symbols.id = tick_rows.symbol_id
                """)

            // Clustered on (symbol, timeframe, ts): a report's window is one contiguous range read.
            try db.create(table: "resampled_data", options: [.withoutRowID]) { t in
                t.column("symbol", .text).notNull()
                t.column("timeframe", .text).notNull()
                t.column("ts", .integer).notNull()
                t.column("open", .double).notNull()
                t.column("high", .double).notNull()
                t.column("low", .double).notNull()
                t.column("close", .double).notNull()
                t.column("volume", .double).notNull()
                t.column("quote_volume", .double).notNull()
                t.column("trades", .integer).notNull()
                t.column("taker_buy_volume", .double).notNull()
                t.primaryKey(["symbol", "timeframe", "ts"])
            }

            try db.create(table: "analytics_results") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("symbol_pair", .text).notNull()
                t.column("timeframe", .text).notNull()
                t.column("ts", .integer).notNull()
                t.column("hedge_ratio", .double)
                t.column("intercept", .double)
                t.column("spread", .double)
                t.column("z_score", .double)
                t.column("correlation", .double)
                t.column("adf_statistic", .double)
                t.column("adf_pvalue", .double)
                t.column("spread_mean", .double)
                t.column("spread_std", .double)
                t.column("half_life", .double)
            }
            try db.create(index: "analytics_results_pair_tf_ts", on: "analytics_results", columns: ["symbol_pair", "timeframe", "ts"])

            try db.create(table: "alert_events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("rule", .text).notNull()
                t.column("symbol_pair", .text).notNull()
                t.column("metric", .text).notNull()
                t.column("value", .double)
                t.column("threshold", .double).notNull()
                t.column("state", .text).notNull()
                t.column("ts", .integer).notNull()
                t.column("report_run", .integer)
            }
            try db.create(index: "alert_events_rule_ts", on: "alert_events", columns: ["rule", "ts"])

            try db.create(table: "stream_gaps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("symbol", .text).notNull()
                t.column("from_trade_id", .integer).notNull()
                t.column("to_trade_id", .integer).notNull()
                t.column("from_ts", .integer).notNull()
                t.column("to_ts", .integer).notNull()
                t.column("detected_at", .integer).notNull()
                t.column("filled_at", .integer)
            }
            try db.create(index: "stream_gaps_symbol_from_ts", on: "stream_gaps", columns: ["symbol", "from_ts"])

            try db.create(table: "report_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("script", .text).notNull()
                t.column("params", .text).notNull()
                t.column("started_at", .integer).notNull()
                t.column("finished_at", .integer)
                t.column("status", .text).notNull()
                t.column("outputs", .text)
                t.column("error", .text)
            }
            try db.create(index: "report_runs_script_started", on: "report_runs", columns: ["script", "started_at"])
        }
        // Rules made on the dashboard: the rule itself is the JSON of an alert rule (the report scripts' keys).
        migrator.registerMigration("v2-alert-rules") { db in
            try db.create(table: "alert_rules") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("definition", .text).notNull()
                t.column("enabled", .boolean).notNull().defaults(to: true)
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
        }
        // An alert's state belongs to the rule where it is defined, not only to its name: two scripts may both have a
        // rule "z high" with different thresholds. Rows from before this migration keep source ''.
        migrator.registerMigration("v3-alert-event-source") { db in
            try db.alter(table: "alert_events") { t in
                t.add(column: "source", .text).notNull().defaults(to: "")
            }
            try db.drop(index: "alert_events_rule_ts")
            try db.create(index: "alert_events_source_rule_subject_ts", on: "alert_events",
                          columns: ["source", "rule", "symbol_pair", "ts"])
        }
        // A trade is its symbol and trade id: the same id at another time (a corrected dump, a switch between `trade`
        // and `aggTrade` streams) is a duplicate. Earlier databases may hold such twins: the earliest of each stays.
        migrator.registerMigration("v4-unique-trade-id") { db in
            // A scratch index makes finding twins O(n log n) on a database of millions of trades.
            try db.execute(sql: "CREATE INDEX tick_rows_twins ON tick_rows (symbol_id, trade_id, ts)")
            try db.execute(sql: """
                DELETE FROM tick_rows WHERE EXISTS (
                    SELECT 1 FROM tick_rows AS twin
                    WHERE twin.symbol_id = tick_rows.symbol_id AND twin.trade_id = tick_rows.trade_id AND twin.ts < tick_rows.ts)
                """)
            try db.execute(sql: "DROP INDEX tick_rows_twins")
            try db.create(index: "tick_rows_symbol_trade", on: "tick_rows", columns: ["symbol_id", "trade_id"], unique: true)
        }
        // Several writers of one symbol (an import and a collector, two collectors): each transaction marks the symbols
        // whose bars it wrote, so a writer holding bars in memory sees that another wrote since and reloads them; and
        // a live collector holds a lease on each symbol it records, so a second one is refused.
        migrator.registerMigration("v5-writers-and-leases") { db in
            try db.alter(table: "symbols") { t in
                t.add(column: "bar_writer", .text)
            }
            try db.create(table: "collector_leases") { t in
                t.primaryKey("symbol", .text)
                t.column("holder", .text).notNull()
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("acquired_at", .integer).notNull()
                t.column("renewed_at", .integer).notNull()
                t.column("expires_at", .integer).notNull()
            }
        }
        // Several report workers on one database: a scheduled run claims its slot (report name and slot time) before
        // it starts, so two workers make each slot once; the claimant's host and pid let a worker take over the claim
        // of a process that died on the same host.
        migrator.registerMigration("v6-report-slot-claims") { db in
            try db.alter(table: "report_runs") { t in
                t.add(column: "slot", .text)
                t.add(column: "claim_host", .text)
                t.add(column: "claim_pid", .integer)
            }
            try db.execute(sql: "CREATE UNIQUE INDEX report_runs_slot ON report_runs (slot) WHERE slot IS NOT NULL")
        }
        return migrator
    }
}
