import PostgresNIO

extension PostgresStore {
    /// The schema, as migrations never edited once shipped (add new ones), mirroring the SQLite store's tables.
    ///
    /// Differences that PostgreSQL suggests: prices, quantities and volumes are `numeric` (exact sums); trades are
    /// partitioned by day (v4); `symbols.id` is a `serial`.
    static let migrations: [(name: String, statements: [String])] = [
        ("v1-schema", [
            "CREATE TABLE symbols (id serial PRIMARY KEY, name text NOT NULL UNIQUE, bar_writer text)",
            """
            CREATE TABLE tick_rows (symbol_id integer NOT NULL, ts bigint NOT NULL, trade_id bigint NOT NULL,
                price numeric NOT NULL, quantity numeric NOT NULL, is_buyer_maker boolean NOT NULL,
                PRIMARY KEY (symbol_id, trade_id))
            """,
            "CREATE INDEX tick_rows_symbol_ts ON tick_rows (symbol_id, ts, trade_id)",
            """
            CREATE VIEW tick_data (symbol, trade_id, ts, price, quantity, is_buyer_maker) AS
            SELECT symbols.name, tick_rows.trade_id, tick_rows.ts, tick_rows.price, tick_rows.quantity, tick_rows.is_buyer_maker
            FROM tick_rows JOIN symbols ON symbols.id = tick_rows.symbol_id
            """,
            """
            CREATE TABLE resampled_data (symbol text NOT NULL, timeframe text NOT NULL, ts bigint NOT NULL,
                open numeric NOT NULL, high numeric NOT NULL, low numeric NOT NULL, close numeric NOT NULL,
                volume numeric NOT NULL, quote_volume numeric NOT NULL, trades bigint NOT NULL, taker_buy_volume numeric NOT NULL,
                PRIMARY KEY (symbol, timeframe, ts))
            """,
            """
            CREATE TABLE analytics_results (id bigserial PRIMARY KEY, symbol_pair text NOT NULL, timeframe text NOT NULL,
                ts bigint NOT NULL, hedge_ratio double precision, intercept double precision, spread double precision,
                z_score double precision, correlation double precision, adf_statistic double precision, adf_pvalue double precision,
                spread_mean double precision, spread_std double precision, half_life double precision)
            """,
            "CREATE INDEX analytics_results_pair_tf_ts ON analytics_results (symbol_pair, timeframe, ts)",
            """
            CREATE TABLE alert_events (id bigserial PRIMARY KEY, source text NOT NULL DEFAULT '', rule text NOT NULL,
                symbol_pair text NOT NULL, metric text NOT NULL, value double precision, threshold double precision NOT NULL,
                state text NOT NULL, ts bigint NOT NULL, report_run bigint)
            """,
            "CREATE INDEX alert_events_source_rule_subject_ts ON alert_events (source, rule, symbol_pair, ts)",
            """
            CREATE TABLE alert_rules (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, definition text NOT NULL,
                enabled boolean NOT NULL DEFAULT true, created_at bigint NOT NULL, updated_at bigint NOT NULL)
            """,
            """
            CREATE TABLE stream_gaps (id bigserial PRIMARY KEY, symbol text NOT NULL, from_trade_id bigint NOT NULL,
                to_trade_id bigint NOT NULL, from_ts bigint NOT NULL, to_ts bigint NOT NULL, detected_at bigint NOT NULL,
                filled_at bigint)
            """,
            "CREATE INDEX stream_gaps_symbol_from_ts ON stream_gaps (symbol, from_ts)",
            """
            CREATE TABLE report_runs (id bigserial PRIMARY KEY, script text NOT NULL, params text NOT NULL,
                started_at bigint NOT NULL, finished_at bigint, status text NOT NULL, outputs text, error text)
            """,
            "CREATE INDEX report_runs_script_started ON report_runs (script, started_at)",
            """
            CREATE TABLE collector_leases (symbol text PRIMARY KEY, holder text NOT NULL, host text NOT NULL,
                pid bigint NOT NULL, acquired_at bigint NOT NULL, renewed_at bigint NOT NULL, expires_at bigint NOT NULL)
            """,
        ]),
        // Several report workers on one database: a scheduled run claims its slot first (as on SQLite, v6).
        ("v2-report-slot-claims", [
            "ALTER TABLE report_runs ADD COLUMN slot text, ADD COLUMN claim_host text, ADD COLUMN claim_pid bigint",
            "CREATE UNIQUE INDEX report_runs_slot ON report_runs (slot) WHERE slot IS NOT NULL",
        ]),
        // Writers keeping different timeframes: the ones every writer of a symbol's bars kept (see `completeFrames`).
        ("v3-symbol-bar-frames", [
            "ALTER TABLE symbols ADD COLUMN bar_frames text",
        ]),
        // Trades partitioned by day (`PostgresStore+Partitions`); a trade's key gains its time, which a partition key
        // must be part of (a trade id always comes with the same time). Stored trades move into the partitions.
        ("v4-tick-partitions", [
            "DROP VIEW tick_data",
            "ALTER TABLE tick_rows RENAME TO tick_rows_unpartitioned",
            "ALTER TABLE tick_rows_unpartitioned RENAME CONSTRAINT tick_rows_pkey TO tick_rows_unpartitioned_pkey",
            "ALTER INDEX tick_rows_symbol_ts RENAME TO tick_rows_unpartitioned_symbol_ts",
            """
            CREATE TABLE tick_rows (symbol_id integer NOT NULL, ts bigint NOT NULL, trade_id bigint NOT NULL,
                price numeric NOT NULL, quantity numeric NOT NULL, is_buyer_maker boolean NOT NULL,
                PRIMARY KEY (symbol_id, trade_id, ts)) PARTITION BY RANGE (ts)
            """,
            "CREATE INDEX tick_rows_symbol_ts ON tick_rows (symbol_id, ts, trade_id)",
            """
            DO $$ DECLARE day bigint; BEGIN
                FOR day IN SELECT DISTINCT floor(ts / 86400000.0)::bigint FROM tick_rows_unpartitioned LOOP
                    EXECUTE format('CREATE TABLE %I PARTITION OF tick_rows FOR VALUES FROM (%s) TO (%s)',
                        'tick_rows_' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYY_MM_DD'),
                        day * 86400000, (day + 1) * 86400000);
                END LOOP;
            END $$
            """,
            "INSERT INTO tick_rows SELECT symbol_id, ts, trade_id, price, quantity, is_buyer_maker FROM tick_rows_unpartitioned",
            "DROP TABLE tick_rows_unpartitioned",
            """
            CREATE VIEW tick_data (symbol, trade_id, ts, price, quantity, is_buyer_maker) AS
            SELECT symbols.name, tick_rows.trade_id, tick_rows.ts, tick_rows.price, tick_rows.quantity, tick_rows.is_buyer_maker
            FROM tick_rows JOIN symbols ON symbols.id = tick_rows.symbol_id
            """,
        ]),
        // One B-tree per trade: the key (symbol, time, trade id) is a trade's identity (the same columns
        // as before) and the order every read by time scans, so the second index goes. A trade cost two index entries
        // (COPY of 1,000,000 trades: 4.7–6.4 s with both, 3.0–4.9 s with one) and 85 bytes of WAL each.
        ("v5-one-trade-index", [
            "DROP INDEX tick_rows_symbol_ts",
            "ALTER TABLE tick_rows DROP CONSTRAINT tick_rows_pkey",
            "ALTER TABLE tick_rows ADD PRIMARY KEY (symbol_id, ts, trade_id)",
        ]),
    ]

    /// Applies the migrations not applied yet, in one transaction under an advisory lock (two processes starting at
    /// once on a new database migrate one after the other; even `CREATE TABLE IF NOT EXISTS` races without it).
    func migrate() async throws {
        try await transaction("migrating the schema") { connection in
            // 0x70626d67 = "pbmg": pairbook's migration lock, released at commit.
            try await connection.query("SELECT pg_advisory_xact_lock(1885498727)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS pairbook_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM pairbook_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO pairbook_migrations (name) VALUES (\(migration.name))", logger: logger)
                logger.info("migrated the database", metadata: ["migration": "\(migration.name)"])
            }
        }
    }
}
