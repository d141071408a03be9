import DataMigration
import Foundation
import Logging
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// `pairbook migrate` between SQLite files and a real PostgreSQL 15 (a fresh cluster for the suite, a fresh database
/// per test): round trips give back exactly what went in, interrupted runs continue and end equal, nothing twice.
@Suite("store migration", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class StoreMigrationTests {
    let server: PostgresTestServer
    let directory: URL

    init() throws {
        server = try PostgresTestServer()
        directory = try Fixtures.temporaryDirectory(prefix: "pairbook-migrate")
    }

    deinit { server.stop() }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func postgres() async throws -> PostgresStore {
        try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
    }

    /// The sample in a new SQLite file, what it holds, and an empty PostgreSQL database.
    func sampleAndPostgres() async throws -> (source: Store, expected: StoreContents, postgres: PostgresStore) {
        let source = try MigrationSample.write(to: path("a.sqlite"))
        return (source, try await StoreContents(of: source), try await postgres())
    }

    @Test("SQLite → PostgreSQL → SQLite on the real sample gives back the same trades, bars, rules, runs, events, analytics and gaps",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func roundTrip() async throws {
        // Given the sample in SQLite
        let (source, expected, postgres) = try await sampleAndPostgres()
        #expect(expected.tradeCount == 10_701 + 13_655)
        #expect(expected.bars.keys.contains("BTCUSDT 1h") && expected.bars["BTCUSDT 1h"]?.count == 24)
        #expect(expected.tables.values.allSatisfy { !$0.isEmpty })
        // When it is copied to PostgreSQL and from there into a new SQLite file
        let there = try await StoreMigration(from: source, to: postgres).run()
        let back = try Store(path: path("b.sqlite"), logger: .quiet)
        let home = try await StoreMigration(from: postgres, to: back).run()
        // Then both hold exactly the source's data
        #expect(there.isComplete && home.isComplete)
        #expect(there.trades.copied == expected.tradeCount && there.bars.copied == expected.barCount)
        #expect(try await StoreContents(of: postgres) == expected)
        #expect(try await StoreContents(of: back) == expected)
        // And the SQLite store's own reads agree: alert states, rules, runs
        #expect(try back.currentAlertStates().map(\.state) == source.currentAlertStates().map(\.state))
        #expect(try back.alertRules().map(\.name) == source.alertRules().map(\.name))
        #expect(try back.reportRuns().map(\.status) == source.reportRuns().map(\.status))
        #expect(try back.alertEvents(in: .all).map(\.reportRun) == source.alertEvents(in: .all).map(\.reportRun))
        // And copying again writes nothing
        let again = try await StoreMigration(from: source, to: postgres).run()
        #expect(again.isComplete && again.trades.copied == 0 && again.tableRows.copied == 0)
        #expect(try await StoreContents(of: postgres) == expected)
        await postgres.close()
    }

    @Test("runs stopped after every few batches, each continued by the next, end with exactly the source's data, both ways",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func resume() async throws {
        let (source, expected, postgres) = try await sampleAndPostgres()
        let back = try Store(path: path("b.sqlite"), logger: .quiet)
        for (from, to) in [(source as any MigratableStore, postgres as any MigratableStore), (postgres, back)] {
            // Given small batches and runs that stop after three of them
            var migration = StoreMigration(from: from, to: to)
            migration.tradesPerBatch = 2_000
            migration.barsPerBatch = 700
            migration.rowsPerBatch = 7
            migration.batchLimit = 3
            // When each run is followed by another until one completes
            var runs: [MigrationSummary] = []
            repeat {
                runs.append(try await migration.run())
            } while !runs[runs.count - 1].isComplete && runs.count < 200
            // Then it took many runs, each continuing where the last stopped, and the destination equals the source
            #expect(runs.count > 10 && runs.last?.isComplete == true)
            #expect(runs.map(\.trades.copied).reduce(0, +) == expected.tradeCount, "every trade written once")
            #expect(runs.map(\.tableRows.copied).reduce(0, +) == expected.tableRowCount)
            #expect(runs.dropFirst().allSatisfy { $0.parts.first?.resumed ?? 0 > 0 || $0.parts.first?.done == $0.parts.first?.total })
            #expect(try await StoreContents(of: to) == expected)
        }
        await postgres.close()
    }

    @Test("a destination holding part of the data (not a prefix) gets the rest, nothing twice",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func partialDestination() async throws {
        // Given every third BTCUSDT trade and one rule already in PostgreSQL
        let (source, expected, postgres) = try await sampleAndPostgres()
        let btc = try #require(expected.trades["BTCUSDT"])
        _ = try await postgres.insertTrades(btc.enumerated().filter { $0.offset % 3 == 1 }.map(\.element))
        try await postgres.insertRows([try #require(expected.tables["alert_rules"]?.last)], into: .alertRules)
        // When the whole database is copied
        let summary = try await StoreMigration(from: source, to: postgres).run()
        // Then what was there is kept once and the rest added
        #expect(summary.trades.copied == expected.tradeCount - btc.count / 3)
        #expect(summary.tableRows.copied == expected.tableRowCount - 1)
        let copied = try await StoreContents(of: postgres)
        #expect(copied.trades == expected.trades && copied.bars == expected.bars)
        // (the rule that was there first keeps its lower id)
        #expect(copied.sortingRows == expected.sortingRows)
        await postgres.close()
    }

    @Test("bad stores are one line naming what and where")
    func badStores() async throws {
        #expect(throws: MigrationError.badLocation("mysql://u@h/db", reason: "expected a file path, sqlite:PATH or postgres://user@host[:port]/database")) {
            try StoreLocation(parsing: "mysql://u@h/db")
        }
        #expect(throws: MigrationError.badLocation("sqlite:", reason: "no file path")) { try StoreLocation(parsing: "sqlite:") }
        #expect(throws: PostgresStoreError.badURL("postgres://h/db", reason: "no user (postgres://USER@host/database)")) {
            try StoreLocation(parsing: "postgres://h/db")
        }
        #expect(try StoreLocation(parsing: "sqlite:x.sqlite") == .sqlite(path: "x.sqlite"))
        let missing = path("missing.sqlite")
        await #expect(throws: MigrationError.missingSource(missing)) {
            try await StoreMigration.run(from: .sqlite(path: missing), to: .sqlite(path: self.path("out.sqlite")), logger: .quiet) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        _ = try Store(path: path("a.sqlite"), logger: .quiet)
        await #expect(throws: MigrationError.sameStore("sqlite:\(path("a.sqlite"))")) {
            try await StoreMigration.run(from: .sqlite(path: self.path("a.sqlite")), to: .sqlite(path: self.directory.path + "/./a.sqlite"),
                                         logger: .quiet) { _ in }
        }
        // A server that is not there
        let nowhere = try StoreLocation(parsing: "postgres://pairbook@127.0.0.1:\(try LoopbackHTTP.freePort())/pairbook")
        let error = try await #require(throws: PostgresStoreError.self) {
            try await StoreMigration.run(from: .sqlite(path: self.path("a.sqlite")), to: nowhere, logger: .quiet) { _ in }
        }
        #expect("\(error)".hasPrefix("cannot connect to postgres://pairbook@127.0.0.1:") && !"\(error)".contains("\n"))
    }

    @Test("a destination written by a newer pairbook is refused, SQLite or PostgreSQL")
    func newerSchema() async throws {
        _ = try Store(path: path("a.sqlite"), logger: .quiet)
        _ = try Store(path: path("newer.sqlite"), logger: .quiet)
        try Self.tool("/usr/bin/sqlite3", [path("newer.sqlite"), "INSERT INTO grdb_migrations VALUES ('v99-future')"])
        await #expect(throws: StoreError.newerSchema(path: path("newer.sqlite"))) {
            try await StoreMigration.run(from: .sqlite(path: self.path("a.sqlite")), to: .sqlite(path: self.path("newer.sqlite")),
                                         logger: .quiet) { _ in }
        }
        let url = try PostgresURL(try server.createDatabase())
        await (try await PostgresStore.connect(url, logger: .quiet)).close()
        try Self.tool("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", "postgres", "-d", url.database, "-q", "-c",
                                        "INSERT INTO pairbook_migrations (name) VALUES ('v99-future')"])
        await #expect(throws: PostgresStoreError.newerSchema(url.description, migrations: ["v99-future"])) {
            try await StoreMigration.run(from: .sqlite(path: self.path("a.sqlite")), to: .postgres(url), logger: .quiet) { _ in }
        }
    }

    /// Runs a command-line tool and waits; a failure is an error.
    static func tool(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(path) \(arguments) failed")
    }
}
