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
    func roundTrip() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let files = ["binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv",
                     "binance-usdm-klines-1m-2023-01-01_03/ETHUSDT-1m-2023-01-01.csv"].map { SharedData.url($0).path }
        let imported = try await ImporterCLI.run(["import", "--db", "a.sqlite"] + files, in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        let url = try server.createDatabase()

        let there = try await ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", url], in: dir)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("trades BTCUSDT  10701 rows, 10701 copied, 0 already there"), "\(there.stdout)")
        #expect(there.stdout.contains("bars ETHUSDT 1m  1440 rows, 1440 copied"), "\(there.stdout)")
        #expect(there.stdout.split(separator: "\n").last?.hasPrefix("migrated sqlite:a.sqlite → \(url): ") == true,
                "\(there.stdout)")
        #expect(!there.stdout.contains("password"))

        let home = try await ImporterCLI.run(["migrate", "--from", url, "--to", "sqlite:b.sqlite"], in: dir)
        #expect(home.status == 0, "\(home.stderr)")
        let original = try await ImporterCLI.run(["status", "--db", "a.sqlite"], in: dir)
        let copy = try await ImporterCLI.run(["status", "--db", "b.sqlite"], in: dir)
        #expect(original.stdout.split(separator: "\n").dropFirst() == copy.stdout.split(separator: "\n").dropFirst(), "\(copy.stdout)")

        let again = try await ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", url], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("10701 trades (0 copied)"), "\(again.stdout)")
    }

    @Test("a migrate killed with SIGKILL mid-way continues on re-run and ends with exactly the source's trades and bars")
    func killNine() async throws {
        // Given a database big enough to take a few seconds to copy
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let file = try ImporterCLI.writeTrades(count: 300_000, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        #expect(try await ImporterCLI.run(["import", "--db", "a.sqlite", file.path], in: dir).status == 0)
        let url = try server.createDatabase("killed")
        // When the copy is killed once its first batches are committed
        let process = try ImporterCLI.start(["migrate", "--db", "a.sqlite", "--to", url], in: dir)
        var stored = 0
        var polls = 0
        while polls < 6000, process.isRunning, stored == 0 {
            stored = Int(psql("SELECT count(*) FROM tick_rows", database: "killed") ?? "") ?? 0
            usleep(5_000)
            polls += 1
        }
        // The kill must land mid-copy, or this test would prove nothing.
        try #require(process.isRunning, "the copy ended before it could be killed (\(stored) trades seen, \(polls) polls)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = Int(psql("SELECT count(*) FROM tick_rows", database: "killed") ?? "") ?? -1
        #expect(partial > 0 && partial < 300_000, "\(partial) trades stored before the kill")
        // Then the same command continues after them and ends with every trade once and the same bars
        let rerun = try await ImporterCLI.run(["migrate", "--db", "a.sqlite", "--to", url], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("trades BTCUSDT  300000 rows, \(300_000 - partial) copied, \(partial) already there"), "\(rerun.stdout)")
        #expect(psql("SELECT count(*), count(DISTINCT trade_id) FROM tick_rows", database: "killed") == "300000|300000")
        let home = try await ImporterCLI.run(["migrate", "--from", url, "--to", "b.sqlite"], in: dir)
        #expect(home.status == 0, "\(home.stderr)")
        for timeframe in ["1s", "1m", "5m"] {
            let args = ["export", "bars", "--symbol", "BTCUSDT", "--timeframe", timeframe, "--db"]
            let original = try await ImporterCLI.run(args + ["a.sqlite"], in: dir)
            let copy = try await ImporterCLI.run(args + ["b.sqlite"], in: dir)
            #expect(!original.stdout.isEmpty && original.stdout == copy.stdout, "\(timeframe) bars differ after the resumed copy")
        }
    }

    /// One value (columns joined by `|`) from `psql` on the test server, or `nil` when the query fails (no table yet).
    func psql(_ sql: String, database: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", "postgres", "-d", database, "-Atc", sql]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a missing source file, an unreachable server and the same store twice are one line each, exit 1")
    func errors() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let missing = try await ImporterCLI.run(["migrate", "--from", "nothere.sqlite", "--to", "b.sqlite"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error: no database to copy from at nothere.sqlite\n", "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.sqlite").path))

        let file = try ImporterCLI.writeTrades(count: 10, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        #expect(try await ImporterCLI.run(["import", "--db", "a.sqlite", file.path], in: dir).status == 0)
        let port = try LoopbackHTTP.freePort()
        let unreachable = try await ImporterCLI.run(["migrate", "--db", "a.sqlite", "--to", "postgres://pairbook:secret@127.0.0.1:\(port)/pb"], in: dir)
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.hasPrefix("Error: cannot connect to postgres://pairbook@127.0.0.1:\(port)/pb: "), "\(unreachable.stderr)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1 && !unreachable.stderr.contains("secret"))

        let same = try await ImporterCLI.run(["migrate", "--from", "a.sqlite", "--to", "sqlite:./a.sqlite"], in: dir)
        #expect(same.status == 1)
        #expect(same.stderr.contains("Error: --from and --to are the same database (sqlite:a.sqlite)"), "\(same.stderr)")
    }
}
