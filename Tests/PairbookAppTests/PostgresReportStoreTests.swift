import Collector
import DataMigration
import Foundation
import Market
import PairbookApp
import PairbookTestSupport
import PostgresStorage
import ReportEngine
import Storage
import Testing

/// A report run against PostgreSQL (``BlockingPostgresStore``) and against SQLite on the same data: the same bytes, the
/// same alert history, and a scheduled slot made once by two workers.
@Suite("Reports on PostgreSQL", .serialized,
       .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"),
       .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
struct BlockingPostgresStoreTests {
    static let runTime = Timestamp(milliseconds: 1_672_790_400_000) // 2023-01-04T00:00:00Z, the end of the sample

    /// The shared sample's 1 m klines in a new SQLite file, and the same rows copied into a new PostgreSQL database.
    static func withBothStores(_ body: (Store, PostgresStore, URL) async throws -> Void) async throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "pairbook-pg-report")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try Store(path: folder.appendingPathComponent("a.sqlite").path, logger: .quiet)
        let klines = SharedData.url("binance-usdm-klines-1m-2023-01-01_03")
        let files = try FileManager.default.contentsOfDirectory(atPath: klines.path).filter { $0.hasSuffix(".csv") }.sorted()
        let importer = CSVImporter(store: sqlite, logger: .quiet)
        for file in files { _ = try importer.importFile(at: klines.appendingPathComponent(file)) }
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet) { postgres in
                _ = try await StoreMigration(from: sqlite, to: postgres).run()
                try await body(sqlite, postgres, folder)
            }
        }
    }

    static func job(out: URL, worker: LeaseHolder? = nil) -> ReportJob {
        let root = SharedData.packageRoot
        var job = ReportJob(scriptPath: root.appendingPathComponent("Reports/pair-overview.md").path, assignments: ["lookback=3d"],
                            at: runTime, outputRoot: out.path, formats: [.html, .csv],
                            templatesDirectory: root.appendingPathComponent("templates").path)
        job.worker = worker
        return job
    }

    @Test("pair-overview on PostgreSQL is byte for byte the report on SQLite, with the same alert transitions")
    func sameReport() async throws {
        try await Self.withBothStores { sqlite, postgres, folder in
            let pg = BlockingPostgresStore(postgres)
            // Twice on each store: the second run continues the alert history the first recorded.
            for pass in 1...2 {
                let fromSQLite = try await Self.job(out: folder.appendingPathComponent("sqlite\(pass)")).runOffThread(store: sqlite, logger: .quiet)
                let fromPostgres = try await Self.job(out: folder.appendingPathComponent("pg\(pass)")).runOffThread(store: pg, logger: .quiet)

                #expect(fromPostgres.files.count == 4)
                for (a, b) in zip(fromSQLite.files, fromPostgres.files) {
                    #expect(URL(fileURLWithPath: a).lastPathComponent == URL(fileURLWithPath: b).lastPathComponent)
                    #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)), "pass \(pass): \(b)")
                }
                #expect(fromPostgres.report.findings == fromSQLite.report.findings)
                #expect(fromPostgres.newAlertEvents == fromSQLite.newAlertEvents)
                #expect(pass == 1 ? fromPostgres.newAlertEvents > 0 : fromPostgres.newAlertEvents == 0)
            }
            #expect(try await postgres.symbols() == (try sqlite.symbols()))
            let runs = try await postgres.reportRunSlots()
            #expect(runs.count == 2 && runs.allSatisfy { $0.status == "ok" || $0.status == "alert" }, "\(runs)")
        }
    }

    @Test("two report workers on one PostgreSQL make a scheduled slot once")
    func slotOnce() async throws {
        try await Self.withBothStores { _, postgres, folder in
            let pg = BlockingPostgresStore(postgres)
            let workers = [LeaseHolder(id: "worker-a", host: "host-a", pid: 101), LeaseHolder(id: "worker-b", host: "host-b", pid: 102)]
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for (index, worker) in workers.enumerated() {
                    group.addTask {
                        do {
                            _ = try await Self.job(out: folder.appendingPathComponent("w\(index)"), worker: worker).runOffThread(store: pg, logger: .quiet)
                            return true
                        } catch is ReportJob.SlotTaken {
                            return false
                        } catch {
                            Issue.record("worker \(index): \(error)")
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let slots = try await postgres.reportRunSlots().compactMap(\.slot)
            #expect(slots == ["pair-overview 2023-01-04T00:00:00Z"])
        }
    }
}
