import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

@Suite(.enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"))
struct ImportCommandTests {
    @Test("import prints a one-line summary per file; re-import finds only duplicates")
    func importTwice() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let file = try ImporterCLI.writeTrades(count: 2_000, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        let first = try await ImporterCLI.run(["import", "--db", "t.sqlite", file.path], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("BTCUSDT-trades-2024-07-19.csv: BTCUSDT trades, 2000 rows, 2000 new, 0 duplicate trades"))
        #expect(first.stdout.split(separator: "\n").count == 1)
        let before = try await ImporterCLI.run(["export", "bars", "--db", "t.sqlite", "--symbol", "BTCUSDT", "--timeframe", "1s"], in: dir)
        let second = try await ImporterCLI.run(["import", "--db", "t.sqlite", file.path], in: dir)
        #expect(second.stdout.contains("0 new, 2000 duplicate trades, 0 bars written"))
        let after = try await ImporterCLI.run(["export", "bars", "--db", "t.sqlite", "--symbol", "BTCUSDT", "--timeframe", "1s"], in: dir)
        #expect(before.stdout == after.stdout)
    }

    @Test("a bad row fails with file and line; --skip-bad reports it and goes on")
    func badRows() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let text = "id,price,qty,quote_qty,time,is_buyer_maker\n1,100.5,0.1,10.05,1721347200000,true\n2,100.6,0.1,1721347200001\n3,100.7,0.2,20.14,1721347200002,false\n"
        let file = dir.appendingPathComponent("BTCUSDT-trades-2024-01-01.csv")
        try Data(text.utf8).write(to: file)
        let failed = try await ImporterCLI.run(["import", "--db", "t.sqlite", file.path], in: dir)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("Error: BTCUSDT-trades-2024-01-01.csv:3: expected 6 columns, found 4"))
        let skipped = try await ImporterCLI.run(["import", "--db", "t.sqlite", "--skip-bad", file.path], in: dir)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("2 new"))
        #expect(skipped.stdout.contains("skipped 1 bad rows; first: BTCUSDT-trades-2024-01-01.csv:3: expected 6 columns, found 4"))
    }

    @Test("an import killed with SIGKILL leaves a sound database and completes on re-run")
    func killNine() async throws {
        // Given a file big enough to take a few seconds to import
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let file = try ImporterCLI.writeTrades(count: 300_000, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        let db = dir.appendingPathComponent("k.sqlite").path
        // When the import is killed once the first batches are committed
        let process = try ImporterCLI.start(["import", "--db", db, file.path], in: dir)
        // Watch the WAL file on this thread, without awaiting: after an `await`, a test shares the two cooperative
        // threads with the rest of the suite and may not run again before the import has ended. The first committed
        // batches grow the WAL past 256 KiB.
        let wal = db + "-wal"
        var waited = 0
        var sizes: [Int] = []
        while waited < 6000, process.isRunning {
            let size = ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? NSNumber)?.intValue ?? -1
            if sizes.last != size { sizes.append(size) }
            if size > 1 << 18 { break }
            usleep(5_000)
            waited += 1
        }
        // The kill must land mid-import, or this test would prove nothing.
        try #require(process.isRunning, "the import ended before it could be killed (WAL sizes seen: \(sizes), \(waited) polls)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        // Then the database opens and passes integrity_check, part of the file is stored…
        let store = try Store(path: db, logger: .quiet)
        #expect(try store.integrityCheck() == ["ok"])
        let partial = try store.tickCount()
        #expect(partial < 300_000, "\(partial) trades stored before the kill")
        // …and a re-run completes it, with the same bars as a clean import.
        let rerun = try await ImporterCLI.run(["import", "--db", db, file.path], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try store.tickCount() == 300_000)
        #expect(try store.integrityCheck() == ["ok"])
        _ = try await ImporterCLI.run(["import", "--db", "clean.sqlite", file.path], in: dir)
        for timeframe in ["1s", "1m", "5m"] {
            let args = ["export", "bars", "--symbol", "BTCUSDT", "--timeframe", timeframe, "--db"]
            let resumed = try await ImporterCLI.run(args + [db], in: dir)
            let clean = try await ImporterCLI.run(args + ["clean.sqlite"], in: dir)
            #expect(resumed.stdout == clean.stdout, "\(timeframe) bars differ after resume")
        }
    }

    @Test("a real kline file with one absurd open_time: a one-line error with file and line (not a trap); --skip-bad counts it",
          .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
    func absurdKlineTime() async throws {
        // Given BTCUSDT-1m-2023-01-01.csv with open_time -9223372036854775807 on line 101
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-cli")
        let source = SharedData.url("binance-usdm-klines-1m-2023-01-01_03/BTCUSDT-1m-2023-01-01.csv")
        var lines = try String(contentsOf: source, encoding: .utf8).components(separatedBy: "\n")
        lines[100] = "-9223372036854775807" + lines[100].drop { $0 != "," }
        let file = dir.appendingPathComponent("BTCUSDT-1m-2023-01-01.csv")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        // When it is imported, then it fails cleanly with exit status 1, naming the row
        let failed = try await ImporterCLI.run(["import", "--db", "t.sqlite", file.path], in: dir)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains(
            "Error: BTCUSDT-1m-2023-01-01.csv:101: open_time -9223372036854775807 is outside 2017-01-01T00:00:00.000Z…"))
        // And with --skip-bad the other 1439 klines are imported and the bad row is reported
        let skipped = try await ImporterCLI.run(["import", "--db", "t.sqlite", "--skip-bad", file.path], in: dir)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("1440 rows, 1439 klines"), "\(skipped.stdout)")
        #expect(skipped.stdout.contains("skipped 1 bad rows; first: BTCUSDT-1m-2023-01-01.csv:101: open_time -9223372036854775807"))
    }
}
