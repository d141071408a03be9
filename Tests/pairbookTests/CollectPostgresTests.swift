import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Testing

/// `pairbook collect --db postgres://…`: records into PostgreSQL; a bad URL or an unreachable server is one line and a
/// non-zero exit.
@Suite("pairbook collect into PostgreSQL", .enabled(if: ImporterCLI.isAvailable, "pairbook binary not built"))
struct CollectPostgresTests {
    @Test("a bad URL, an unreachable server and an unknown scheme are refused in one line naming the database",
          arguments: [
              ("postgres://127.0.0.1:5432/pairbook", "bad database URL postgres://127.0.0.1:5432/pairbook: no user"),
              ("postgres://pairbook@127.0.0.1:1/pairbook", "cannot connect to postgres://pairbook@127.0.0.1:1/pairbook: "),
              ("mysql://pairbook@127.0.0.1/pairbook", "bad store 'mysql://pairbook@127.0.0.1/pairbook': expected a file path"),
          ])
    func refused(db: String, message: String) async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-collect-pg")
        let result = try await ImporterCLI.run(["collect", "--db", db, "--symbols", "BTCUSDT", "--endpoint", "ws://127.0.0.1:1"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("Error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }

    @Test("pairbook run on an unreachable PostgreSQL is one line without the password")
    func runUnreachable() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-run-pg")
        let result = try await ImporterCLI.run(["run", "--db", "postgres://pairbook:secret@127.0.0.1:1/pairbook", "--symbols", "BTCUSDT"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("Error: cannot connect to postgres://pairbook@127.0.0.1:1/pairbook"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("pairbook demo refuses a PostgreSQL database in one line that says the others take it")
    func demoRefused() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-pg-refused")
        let result = try await ImporterCLI.run(["demo", "--db", "postgres://pairbook:secret@127.0.0.1:1/pairbook"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: --db: `pairbook demo` works on an SQLite file only (every other command takes postgres://)"),
                "\(result.stderr)")
        #expect(!result.stderr.contains("secret") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("import, fetch and status on an unreachable PostgreSQL are one line without the password",
          arguments: [["status"], ["import", "x.csv"], ["fetch", "--symbols", "BTCUSDT", "--from", "2024-01-01", "--to", "2024-01-02"]])
    func unreachable(command: [String]) async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-pg-unreachable")
        let result = try await ImporterCLI.run(command + ["--db", "postgres://pairbook:secret@127.0.0.1:1/pairbook"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: cannot connect to postgres://pairbook@127.0.0.1:1/pairbook"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("pairbook import into PostgreSQL: status shows what SQLite's shows; again changes nothing; a bad row is one line",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"),
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func importAndStatus() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-import-pg")
        let klines = SharedData.url("binance-usdm-klines-1m-2023-01-01_03")
        let files = try FileManager.default.contentsOfDirectory(atPath: klines.path).filter { $0.hasSuffix(".csv") }.sorted()
            .map { klines.appendingPathComponent($0).path }
        let trades = SharedData.url("binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv").path
        try await PostgresTestServer.withServer { postgres in
            let db = try await postgres.newDatabase()
            var tables: [String] = []
            for store in ["a.sqlite", db] {
                for (arguments, summary) in [(files, "1440 klines"), ([trades, "--symbol", "BTCUSDT"], "new, 0 duplicate")] {
                    let run = try await ImporterCLI.run(["import", "--db", store] + arguments, in: dir)
                    #expect(run.status == 0, "\(run.stderr)")
                    #expect(run.stdout.contains(summary), "\(run.stdout)")
                    if arguments == files {
                        // The total of several kline files counts klines, not trades.
                        #expect(run.stdout.contains("total: \(files.count) files, 8640 rows, 8640 klines, "), "\(run.stdout)")
                    }
                }
                let status = try await ImporterCLI.run(["status", "--db", store], in: dir)
                #expect(status.status == 0, "\(status.stderr)")
                #expect(status.stdout.hasPrefix("database: \(store == db ? "postgres://" : "a.sqlite (")"), "\(status.stdout)")
                // The table after the database line; the freshness column depends on the time of the run.
                tables.append(status.stdout.split(separator: "\n").dropFirst().map { $0.replacingOccurrences(
                    of: #"\d+ d ago"#, with: "", options: .regularExpression) }.joined(separator: "\n"))
            }
            #expect(tables[0] == tables[1] && tables[0].contains("ETHUSDT"), "\(tables)")
            // Again: nothing new.
            let again = try await ImporterCLI.run(["import", "--db", db, trades, "--symbol", "BTCUSDT"], in: dir)
            #expect(again.status == 0 && again.stdout.contains(", 0 new, "), "\(again.stdout)")
            // A bad row stops the import in one line naming file and line.
            let bad = dir.appendingPathComponent("BTCUSDT-trades-2024-07-20.csv")
            try "1,64000.5,0.01,640.005,1721433600000,true\n2,oops,0.01,1,1721433600001,false\n".write(to: bad, atomically: true, encoding: .utf8)
            let refused = try await ImporterCLI.run(["import", "--db", db, bad.path], in: dir)
            #expect(refused.status != 0)
            #expect(refused.stderr.hasPrefix("Error: BTCUSDT-trades-2024-07-20.csv:2: bad price 'oops'"), "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        }
    }

    @Test("pairbook report, export, analyze and chart make from PostgreSQL what they make from SQLite",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"),
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func report() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-report-pg")
        let klines = SharedData.url("binance-usdm-klines-1m-2023-01-01_03")
        let files = try FileManager.default.contentsOfDirectory(atPath: klines.path).filter { $0.hasSuffix(".csv") }.sorted()
            .map { klines.appendingPathComponent($0).path }
        #expect(try await ImporterCLI.run(["import", "--db", "a.sqlite"] + files, in: dir).status == 0)
        let script = SharedData.packageRoot.appendingPathComponent("Reports/pair-overview.md").path
        try await PostgresTestServer.withServer { postgres in
            let db = try await postgres.newDatabase()
            let migrate = try await ImporterCLI.run(["migrate", "--from", "sqlite:a.sqlite", "--to", db], in: dir)
            #expect(migrate.status == 0, "\(migrate.stderr)")
            for (store, out) in [("a.sqlite", "out-sqlite"), (db, "out-pg")] {
                let run = try await ImporterCLI.run(["report", "--db", store, script, "-p", "lookback=3d", "--at", "2023-01-04", "--format", "html,csv",
                                                     "--out", out], in: dir)
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout.contains("pair-overview: 4 findings"), "\(run.stdout)")
            }
            for name in ["report.html", "bars.csv", "analytics.csv", "findings.csv"] {
                let a = try Data(contentsOf: dir.appendingPathComponent("out-sqlite/pair-overview/latest/\(name)"))
                let b = try Data(contentsOf: dir.appendingPathComponent("out-pg/pair-overview/latest/\(name)"))
                #expect(a == b, "\(name)")
            }
            // export, analyze and chart too: the same bytes from either store.
            let commands: [[String]] = [
                ["export", "bars", "--symbol", "ETHUSDT", "--timeframe", "5m"],
                ["analyze", "--pair", "BTCUSDT/ETHUSDT", "--lookback", "2d", "--format", "json", "--no-store"],
                ["chart", "spread", "--pair", "BTCUSDT/ETHUSDT", "--lookback", "1d", "--out", "spread.png"],
            ]
            for command in commands {
                var outputs: [Data] = []
                for store in ["a.sqlite", db] {
                    let run = try await ImporterCLI.run(command + ["--db", store], in: dir)
                    #expect(run.status == 0, "\(command[0]): \(run.stderr)")
                    outputs.append(command[0] == "chart" ? try Data(contentsOf: dir.appendingPathComponent("spread.png")) : Data(run.stdout.utf8))
                }
                #expect(outputs[0] == outputs[1] && outputs[0].count > 1_000, "\(command[0])")
            }
        }
    }

    @Test("records every trade it receives into PostgreSQL and stops cleanly on SIGTERM",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
    func records() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-collect-pg")
        let ticks: [Tick] = (0..<400).map { (i: Int) -> Tick in
            let symbol: Symbol = i % 2 == 0 ? "BTCUSDT" : "ETHUSDT"
            let time = Timestamp(milliseconds: 1_721_347_200_000 + Int64(i) * 250)
            return Tick.sample(symbol, id: 7_000 + Int64(i / 2), at: time, price: 64_000 + Double(i % 13))
        }
        let steps: [FakeBinanceServer.Step] = [.waitForClients(1)] + ticks.map { .frame($0.tradeFrame) }
        try await PostgresTestServer.withServer { postgres in
            let db = try postgres.createDatabase()
            try await FakeBinanceServer.withServer(steps: steps) { server in
                let collector = try ImporterCLI.start(["collect", "--db", db, "--symbols", "BTCUSDT,ETHUSDT", "--endpoint", server.baseURL],
                                                      in: dir)
                defer { if collector.isRunning { kill(collector.processIdentifier, SIGKILL) } }
                try await server.waitUntilFinished(timeout: .seconds(120))
                try await PostgresStore.withStore(try PostgresURL(db), logger: .quiet) { store in
                    var stored = 0
                    let deadline = ContinuousClock.now + .seconds(120)
                    while stored < ticks.count, ContinuousClock.now < deadline {
                        stored = try await store.tickCount()
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    #expect(stored == ticks.count)
                }
                kill(collector.processIdentifier, SIGTERM)
                collector.waitUntilExit()
                #expect(collector.terminationReason == .exit && collector.terminationStatus == 0)
            }
            try await PostgresStore.withStore(try PostgresURL(db), logger: .quiet) { (store: PostgresStore) async throws in
                #expect(try await store.tickCount(of: "BTCUSDT") == 200)
                #expect(try await store.bars(for: "ETHUSDT", timeframe: .oneMinute, in: .all).bars.map(\.trades).reduce(0, +) == 200)
                #expect(try await store.collectorLeases().isEmpty, "the leases are given up on a clean stop")
            }
        }
    }
}
