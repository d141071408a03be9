import Collector
import Foundation
import Market
import PairbookApp
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// Importing dumps into PostgreSQL (``PostgresImportDestination``) leaves what importing them into SQLite leaves:
/// the same trades and bars, re-imports that change nothing, a bad row that keeps the batches before it.
@Suite("Import into PostgreSQL", .serialized,
       .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"),
       .enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
struct PostgresImportTests {
    static let trades = "binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"
    static let klines = "binance-usdm-klines-1m-2023-01-01_03"

    /// Imports `files` with a PostgreSQL importer, on a thread of its own (the destination blocks).
    static func importFiles(_ files: [URL], into store: PostgresStore, timeframes: [Timeframe] = Timeframe.defaults,
                            batchSize: Int = 20_000) async throws -> [ImportSummary] {
        try await onOwnThread {
            let importer = CSVImporter(destination: PostgresImportDestination(store: store, timeframes: timeframes),
                                       batchSize: batchSize, logger: .quiet)
            return try files.map { try importer.importFile(at: $0) }
        }
    }

    /// Expects the same bars: times, prices and counts exactly, volumes exactly or, where `closeSums`, within 1e-15 of
    /// each other (PostgreSQL sums `numeric`s exactly; SQLite's roll-up of a kline quote volume past 10⁸ falls back
    /// to summing doubles, one unit in the last place away).
    static func expectSameBars(_ postgres: PostgresStore, _ sqlite: Store, of symbol: Symbol, _ timeframes: [Timeframe],
                               closeSums: Bool = false, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        func same(_ a: Bar, _ b: Bar) -> Bool {
            guard closeSums else { return a == b }
            func close(_ x: Double, _ y: Double) -> Bool { x == y || abs(x - y) <= 1e-15 * max(abs(x), abs(y)) }
            return a.openTime == b.openTime && a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close
                && a.trades == b.trades && close(a.volume, b.volume) && close(a.quoteVolume, b.quoteVolume)
                && close(a.takerBuyVolume, b.takerBuyVolume)
        }
        for timeframe in timeframes {
            let want = try await sqlite.bars(for: symbol, timeframe: timeframe, in: .all).bars
            let got = try await postgres.bars(for: symbol, timeframe: timeframe, in: .all).bars
            let differing = zip(got, want).filter { !same($0, $1) }
            #expect(!want.isEmpty && got.count == want.count && differing.isEmpty, """
                \(symbol) \(timeframe): \(got.count) bars, \(want.count) expected; \(differing.count) differ, first \(differing.first.map { "\($0)" } ?? "-")
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("a day of real trades in batches: SQLite's trades and bars; importing again stores nothing")
    func trades() async throws {
        let file = SharedData.url(Self.trades)
        let sqlite = try Store.inMemory()
        let expected = try CSVImporter(store: sqlite, logger: .quiet).importFile(at: file)
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet) { postgres in
                let first = try await Self.importFiles([file], into: postgres)
                #expect(first[0].rows == expected.rows && first[0].recorded.inserted == expected.recorded.inserted)
                #expect(try await postgres.tickCount() == expected.recorded.inserted)
                try await Self.expectSameBars(postgres, sqlite, of: "BTCUSDT", Timeframe.defaults)
                let again = try await Self.importFiles([file], into: postgres)
                #expect(again[0].recorded.inserted == 0 && again[0].recorded.duplicates == expected.rows)
                try await Self.expectSameBars(postgres, sqlite, of: "BTCUSDT", Timeframe.defaults)
            }
        }
    }

    @Test("1m klines out of date order, in batches, roll up to 5m and 1h as on SQLite; importing again changes nothing")
    func klines() async throws {
        let frames: [Timeframe] = [.oneMinute, .fiveMinutes, .oneHour]
        let files = ["03", "01", "02"].map { SharedData.url("\(Self.klines)/ETHUSDT-1m-2023-01-\($0).csv") }
        let sqlite = try Store.inMemory()
        let importer = CSVImporter(store: sqlite, timeframes: frames, logger: .quiet)
        for file in files { _ = try importer.importFile(at: file) }
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet) { postgres in
                let summaries = try await Self.importFiles(files, into: postgres, timeframes: frames, batchSize: 500)
                #expect(summaries.map(\.recorded.inserted) == [1440, 1440, 1440])
                try await Self.expectSameBars(postgres, sqlite, of: "ETHUSDT", frames, closeSums: true)
                // Again, in other batches: the same bars.
                _ = try await Self.importFiles([files[1]], into: postgres, timeframes: frames, batchSize: 333)
                try await Self.expectSameBars(postgres, sqlite, of: "ETHUSDT", frames, closeSums: true)
            }
        }
    }

    @Test("a bad row after several batches: the batches before it are stored, nothing after it")
    func badRow() async throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "pairbook-pg-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let start: Int64 = 1_721_433_600_000
        var rows = (1...250).map { "\($0),64000.5,0.01,640.005,\(start + Int64($0) * 10),true" }
        rows[209] = "210,64000.5,0.01,640.005,not-a-time,true"
        let file = folder.appendingPathComponent("BTCUSDT-trades-2024-07-20.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet) { postgres in
                await #expect {
                    _ = try await Self.importFiles([file], into: postgres, batchSize: 100)
                } throws: { error in
                    "\(error)" == "BTCUSDT-trades-2024-07-20.csv:210: bad time 'not-a-time'"
                }
                #expect(try await postgres.tickCount() == 200)
                let bars = try await postgres.bars(for: "BTCUSDT", timeframe: .oneSecond, in: .all).bars
                #expect(bars.reduce(0) { $0 + $1.trades } == 200)
            }
        }
    }
}
