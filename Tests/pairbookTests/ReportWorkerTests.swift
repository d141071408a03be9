import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// `pairbook run --no-collect`: report workers over a database that collectors elsewhere fill.
@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct ReportWorkerTests {
    /// An hourly report script, `note.md`, in `dir`.
    static func writeNote(in dir: URL) throws {
        try Data("""
            ---
            title: "Desk note"
            schedule: "0 * * * *"
            formats: [html]
            ---
            # Desk note
            """.utf8).write(to: dir.appendingPathComponent("note.md"))
    }

    /// Two `pairbook run --no-collect` workers of `note.md` on `db`, started at once, each with its own output folder.
    static func startWorkers(db: String, in dir: URL) throws -> (ports: [Int], processes: [Process]) {
        let ports = [try LoopbackHTTP.freePort(), try LoopbackHTTP.freePort()]
        let workers = try ports.enumerated().map { i, port in
            try ImporterCLI.start(["run", "--no-collect", "--db", db, "--report", "note.md", "--listen", "127.0.0.1:\(port)",
                                   "--out", "out\(i)"], in: dir)
        }
        return (ports, workers)
    }

    /// Which workers wrote the scheduled report (their `out<i>/note/scheduled/latest` folder).
    static func madeBy(in dir: URL) -> [Int] {
        (0..<2).filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent("out\($0)/note/scheduled/latest").path) }
    }

    /// SIGTERM to each worker; each exits 0.
    static func stop(_ workers: [Process]) {
        for worker in workers {
            kill(worker.processIdentifier, SIGTERM)
            worker.waitUntilExit()
            #expect(worker.terminationReason == .exit && worker.terminationStatus == 0)
        }
    }

    /// A run of `note.md` on `store` that finished three hours ago: its hourly slots since are missed. Its id.
    static func seedMissedRun(_ store: PostgresStore) async throws -> Int64 {
        let earlier = Timestamp.now() - .hours(3)
        let seeded = try await store.beginReportRun(script: "note.md", params: "{}", startedAt: earlier)
        try await store.finishReportRun(id: seeded, finishedAt: earlier + .seconds(1), status: .ok, outputs: "[]", error: nil)
        return seeded
    }

    /// The report runs on `store` once a run other than `seeded` has finished (or after `deadline`), after `settle`
    /// more for a second worker's run to show up if it made one.
    static func runsAfterCatchUp(_ store: PostgresStore, seeded: Int64, deadline: ContinuousClock.Instant,
                                 settle: Duration) async throws -> [(id: Int64, status: String, slot: String?)] {
        var runs = try await store.reportRunSlots()
        while !(runs.contains { $0.id != seeded && $0.status == "ok" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            runs = try await store.reportRunSlots()
        }
        try await Task.sleep(for: settle)
        return try await store.reportRunSlots()
    }

    @Test("two report workers on one database catch up the same missed slot: the report is made once", .timeLimit(.minutes(4)))
    func slotMadeOnce() async throws {
        // Given an hourly report whose last run was three hours ago, on a database no one collects into
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-workers")
        try Self.writeNote(in: dir)
        let database = dir.appendingPathComponent("shared.sqlite").path
        let store = try Store(path: database, logger: .quiet)
        let earlier = Timestamp.now() - .hours(3)
        let seeded = try store.beginReportRun(script: "note.md", params: "{}", startedAt: earlier)
        try store.finishReportRun(id: seeded, finishedAt: earlier + .seconds(1), status: .ok, outputs: "[]", error: nil)

        // When two workers start at once, each with its own output folder
        let (ports, workers) = try Self.startWorkers(db: "shared.sqlite", in: dir)
        defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }

        // Then the slot is made (a worker that looks after it was made sees nothing missed; one that looks at the
        // same time finds the slot claimed) …
        try await FakeBinanceServer.wait(timeout: .seconds(120)) {
            ports.allSatisfy { (try? LoopbackHTTP.get(port: $0, path: "/healthz").status) == 200 }
                && ((try? store.reportRuns()) ?? []).contains { $0.id != seeded && $0.status.isComplete }
        }
        try await Task.sleep(for: .seconds(3))
        // … and exactly one made the report: one run row for the slot, one scheduled folder
        let runs = try store.reportRuns()
        #expect(runs.count == 2, "\(runs)")
        #expect(runs.allSatisfy { $0.status == .ok }, "\(runs)")
        #expect(Self.madeBy(in: dir).count == 1, "folders: \(Self.madeBy(in: dir))")

        // And a worker's health has only the database check (no collector to miss), and its dashboard serves
        let health = try LoopbackHTTP.get(port: ports[0], path: "/healthz")
        #expect(health.status == 200 && health.body.contains("database") && !health.body.contains("collector"), "\(health.body)")
        #expect(try LoopbackHTTP.get(port: ports[1], path: "/api/symbols").status == 200)
        Self.stop(workers)
    }

    @Test("two report workers on one PostgreSQL catch up the same missed slot: the report is made once",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"), .timeLimit(.minutes(4)))
    func slotMadeOncePostgres() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-workers-pg")
        try Self.writeNote(in: dir)
        try await PostgresTestServer.withServer { postgres in
            let db = try await postgres.newDatabase()
            try await PostgresStore.withStore(try PostgresURL(db), logger: .quiet) { store in
                // Given the report's last run three hours ago
                let seeded = try await Self.seedMissedRun(store)

                // When two workers start at once on the PostgreSQL database
                let (ports, workers) = try Self.startWorkers(db: db, in: dir)
                defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
                let runs = try await Self.runsAfterCatchUp(store, seeded: seeded, deadline: ContinuousClock.now + .seconds(120),
                                                           settle: .seconds(3))

                // Then exactly one made the slot's report
                #expect(runs.count == 2 && runs.allSatisfy { $0.status == "ok" }, "\(runs)")
                #expect(runs.compactMap(\.slot).count == 1, "\(runs)")
                #expect(Self.madeBy(in: dir).count == 1, "folders: \(Self.madeBy(in: dir))")
                // And each worker's health has the database check, and its dashboard serves from PostgreSQL
                for port in ports {
                    let health = try LoopbackHTTP.get(port: port, path: "/healthz")
                    #expect(health.status == 200 && health.body.contains("database") && !health.body.contains("collector"), "\(health.body)")
                    #expect(try LoopbackHTTP.get(port: port, path: "/api/symbols").status == 200)
                }
                try await onOwnThread { Self.stop(workers) }
            }
        }
    }

    @Test("the deployment on one PostgreSQL: two collectors with disjoint symbols, two report workers and a dashboard",
          .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"), .timeLimit(.minutes(6)))
    func deployment() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-deployment-pg")
        try Self.writeNote(in: dir)
        let symbols: [Symbol] = ["BTCUSDT", "ETHUSDT"]
        // 300 trades a symbol, each from its own exchange stream.
        let trades = symbols.map { symbol in
            (0..<300).map { i in
                Tick.sample(symbol, id: 9_000 + Int64(i), at: Timestamp(milliseconds: 1_721_347_200_000 + Int64(i) * 300),
                            price: 60_000 + Double(i % 17))
            }
        }
        try await PostgresTestServer.withServer { postgres in
            let db = try await postgres.newDatabase()
            try await PostgresStore.withStore(try PostgresURL(db), logger: .quiet) { store in
                let seeded = try await Self.seedMissedRun(store)
                try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + trades[0].map { .frame($0.tradeFrame) }) { btc in
                    try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + trades[1].map { .frame($0.tradeFrame) }) { eth in
                        // Two collectors, two report workers and a dashboard, all at once on the one database.
                        let collectors = try zip(symbols, [btc, eth]).map { symbol, exchange in
                            try ImporterCLI.start(["collect", "--db", db, "--symbols", symbol.name, "--endpoint", exchange.baseURL], in: dir)
                        }
                        let (_, workers) = try Self.startWorkers(db: db, in: dir)
                        let port = try LoopbackHTTP.freePort()
                        let dashboard = try ImporterCLI.start(["serve", "--db", db, "--listen", "127.0.0.1:\(port)"], in: dir)
                        let all = collectors + workers + [dashboard]
                        defer { for process in all where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                        try await btc.waitUntilFinished(timeout: .seconds(120))
                        try await eth.waitUntilFinished(timeout: .seconds(120))

                        // Every trade stored, each by its own collector
                        var counts: [Int] = []
                        let deadline = ContinuousClock.now + .seconds(120)
                        repeat {
                            try await Task.sleep(for: .milliseconds(100))
                            counts = [try await store.tickCount(of: "BTCUSDT"), try await store.tickCount(of: "ETHUSDT")]
                        } while counts != [300, 300] && ContinuousClock.now < deadline
                        #expect(counts == [300, 300])
                        // The missed slot made once
                        let runs = try await Self.runsAfterCatchUp(store, seeded: seeded, deadline: deadline, settle: .seconds(2))
                        #expect(runs.count == 2 && runs.compactMap(\.slot).count == 1, "\(runs)")
                        #expect(Self.madeBy(in: dir).count == 1)
                        // And the dashboard shows both collectors' data
                        try await FakeBinanceServer.wait(timeout: .seconds(60)) { (try? LoopbackHTTP.get(port: port, path: "/api/symbols").status) == 200 }
                        let listed = try LoopbackHTTP.get(port: port, path: "/api/symbols")
                        #expect(listed.body.contains("BTCUSDT") && listed.body.contains("ETHUSDT"), "\(listed.body)")
                        // 90 s of trades from 00:00: two 1m bars.
                        let bars = try LoopbackHTTP.get(
                            port: port, path: "/api/bars?symbol=ETHUSDT&timeframe=1m&from=2024-07-19T00:00:00Z&to=2024-07-19T01:00:00Z")
                        #expect(bars.status == 200 && bars.body.contains("\"count\":2"), "\(bars.body.prefix(300))")
                        try await onOwnThread { Self.stop(all) }
                    }
                }
            }
        }
    }

    @Test("--no-collect needs no symbols; with --symbols or --redis it is one clear line")
    func flags() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-workers")
        let both = try await ImporterCLI.run(["run", "--no-collect", "--symbols", "BTCUSDT", "--db", "x.sqlite"], in: dir)
        #expect(both.status == 1 && both.stderr.contains("--symbols records trades, --no-collect records none"), "\(both.stderr)")
        let redis = try await ImporterCLI.run(["run", "--no-collect", "--redis", "redis://127.0.0.1:1", "--db", "x.sqlite"], in: dir)
        #expect(redis.status == 1 && redis.stderr.contains("--no-collect records none"), "\(redis.stderr)")
        let none = try await ImporterCLI.run(["run", "--db", "x.sqlite"], in: dir)
        #expect(none.status == 1 && none.stderr.contains("or --no-collect for reports and the dashboard only"), "\(none.stderr)")
    }
}
