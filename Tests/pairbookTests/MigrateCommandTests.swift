import Foundation
import PairbookTestSupport
import Testing

/// `pairbook migrate` end to end: the built binary, real sample files, a real PostgreSQL 15.
@Suite(.serialized,
       .enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"),
       .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class MigrateCommandTests {
    let server: PostgresTestServer

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    @Test("SQLite → PostgreSQL → SQLite: a line per part and a summary; status of the copy equals the original's; again copies nothing",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func roundTrip() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let files = ["binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv",
                     "binance-usdm-klines-1m-2023-01-01_03/ETHUSDT-1m-2023-01-01.csv"].map { SharedData.url($0).path }
        let imported = try ImporterCLI.run(["import", "--db", "a.sqlite"] + files, in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        let url = try server.createDatabase()

        let there = try ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", url], in: dir)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("trades BTCUSDT  10701 rows, 10701 copied, 0 already there"), "\(there.stdout)")
        #expect(there.stdout.contains("bars ETHUSDT 1m  1440 rows, 1440 copied"), "\(there.stdout)")
        #expect(there.stdout.split(separator: "\n").last?.hasPrefix("migrated sqlite:a.sqlite → \(url): ") == true,
                "\(there.stdout)")
        #expect(!there.stdout.contains("password"))

        let home = try ImporterCLI.run(["migrate", "--from", url, "--to", "sqlite:b.sqlite"], in: dir)
        #expect(home.status == 0, "\(home.stderr)")
        let original = try ImporterCLI.run(["status", "--db", "a.sqlite"], in: dir)
        let copy = try ImporterCLI.run(["status", "--db", "b.sqlite"], in: dir)
        #expect(original.stdout.split(separator: "\n").dropFirst() == copy.stdout.split(separator: "\n").dropFirst(), "\(copy.stdout)")

        let again = try ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", url], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("10701 trades (0 copied)"), "\(again.stdout)")
    }

    @Test("a missing source file, an unreachable server and the same store twice are one line each, exit 1")
    func errors() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let missing = try ImporterCLI.run(["migrate", "--from", "nothere.sqlite", "--to", "b.sqlite"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error: no database to copy from at nothere.sqlite\n", "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.sqlite").path))

        let file = try ImporterCLI.writeTrades(count: 10, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        #expect(try ImporterCLI.run(["import", "--db", "a.sqlite", file.path], in: dir).status == 0)
        let port = try LoopbackHTTP.freePort()
        let unreachable = try ImporterCLI.run(["migrate", "--db", "a.sqlite", "--to", "postgres://pairbook:secret@127.0.0.1:\(port)/pb"], in: dir)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.hasPrefix("Error: cannot connect to postgres://pairbook@127.0.0.1:\(port)/pb: "), "\(unreachable.stderr)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1 && !unreachable.stderr.contains("secret"))

        let same = try ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", "sqlite:./a.sqlite"], in: dir)
        #expect(same.status == 1)
        #expect(same.stderr.contains("Error: --from and --to are the same database (sqlite:a.sqlite)"), "\(same.stderr)")
    }
}
