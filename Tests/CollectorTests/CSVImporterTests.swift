import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing
import ZIPFoundation

struct CSVImporterTests {
    static let header = "id,price,qty,quote_qty,time,is_buyer_maker\n"
    static let rows = """
        100,63943.90,0.003,191.8317,1721347022956,true
        101,63944.00,0.017,1087.048,1721347023018,false
        102,63950.10,0.001,63.9501,1721347023999,false
        103,63949.90,0.250,15987.475,1721347084000,true

        """

    @Test("re-importing a file changes nothing")
    func reimport() throws {
        let dir = try temporaryDirectory()
        let url = try writeFile(Self.header + Self.rows, named: "BTCUSDT-trades-2024-07-18.csv", in: dir)
        let store = try Store.inMemory()
        let first = try CSVImporter(store: store, logger: .quiet).importFile(at: url)
        #expect(first.recorded.inserted == 4 && first.recorded.duplicates == 0)
        let before = try StoreSnapshot(store)
        let second = try CSVImporter(store: store, logger: .quiet).importFile(at: url)
        #expect(second.recorded.inserted == 0 && second.recorded.duplicates == 4)
        #expect(try StoreSnapshot(store) == before)
    }

    @Test("header or no header, the same trades")
    func headerOrNot() throws {
        let dir = try temporaryDirectory()
        let withHeader = try writeFile(Self.header + Self.rows, named: "BTCUSDT-trades-2024-07-18.csv", in: dir)
        let without = try writeFile(Self.rows, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        let a = try Store.inMemory()
        let b = try Store.inMemory()
        let sa = try CSVImporter(store: a, logger: .quiet).importFile(at: withHeader)
        let sb = try CSVImporter(store: b, logger: .quiet).importFile(at: without)
        #expect(sa.rows == 4 && sb.rows == 4)
        #expect(try StoreSnapshot(a) == StoreSnapshot(b))
        #expect(try StoreSnapshot(a).ticks.first == Tick(
            symbol: "BTCUSDT", tradeID: 100, timestamp: Timestamp(milliseconds: 1_721_347_022_956),
            price: 63943.9, quantity: 0.003, isBuyerMaker: true))
    }

    @Test("a zip dump streams its CSV entry")
    func zip() throws {
        let dir = try temporaryDirectory()
        let csv = try writeFile(Self.header + Self.rows, named: "BTCUSDT-trades-2024-07-18.csv", in: dir)
        let zip = dir.appendingPathComponent("BTCUSDT-trades-2024-07-18.zip")
        try runZip(zip, csv)
        let plain = try Store.inMemory()
        let zipped = try Store.inMemory()
        _ = try CSVImporter(store: plain, logger: .quiet).importFile(at: csv)
        let summary = try CSVImporter(store: zipped, logger: .quiet).importFile(at: zip)
        #expect(summary.file == "BTCUSDT-trades-2024-07-18.zip/BTCUSDT-trades-2024-07-18.csv")
        #expect(summary.recorded.inserted == 4)
        #expect(try StoreSnapshot(plain) == StoreSnapshot(zipped))
    }

    @Test("a bad row names file and line, and nothing after it is written")
    func badRow() throws {
        let dir = try temporaryDirectory()
        let text = Self.header + "100,63943.90,0.003,191.8317,1721347022956,true\n101,63944.00,0.017,1721347023018\n"
            + "102,63950.10,0.001,63.9501,1721347023999,false\n"
        let url = try writeFile(text, named: "BTCUSDT-trades-2024-01-01.csv", in: dir)
        let store = try Store.inMemory()
        #expect(throws: ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-01-01.csv", line: 3),
                                            reason: "expected 6 columns, found 4")) {
            try CSVImporter(store: store, logger: .quiet).importFile(at: url)
        }
        let error = ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-01-01.csv", line: 3), reason: "expected 6 columns, found 4")
        #expect(error.description == "BTCUSDT-trades-2024-01-01.csv:3: expected 6 columns, found 4")
        #expect(try store.tickCount() == 0)
    }

    @Test("a bad row after several batches: the batches parsed before it are stored, nothing after it")
    func badRowAfterBatches() throws {
        // Given 100 trades with a bad row at data row 55, imported 10 rows per batch (parsing runs ahead of writing)
        let dir = try temporaryDirectory()
        var text = Self.header
        for i in 1...100 {
            text += i == 55 ? "\(i),oops,0.1,1,\(1_721_347_000_000 + i),true\n"
                : "\(i),100.5,0.1,10.05,\(1_721_347_000_000 + i),false\n"
        }
        let url = try writeFile(text, named: "BTCUSDT-trades-2024-01-01.csv", in: dir)
        let store = try Store.inMemory()

        // Then the error names line 56 and exactly the five full batches before it are stored
        #expect(throws: ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-01-01.csv", line: 56),
                                            reason: "bad price 'oops'")) {
            try CSVImporter(store: store, batchSize: 10, logger: .quiet).importFile(at: url)
        }
        #expect(try store.tickCount() == 50)
    }

    @Test("bad field values are named", arguments: [
        ("x1,63943.90,0.003,1,1721347022956,true", "bad id 'x1'"),
        ("1,abc,0.003,1,1721347022956,true", "bad price 'abc'"),
        ("1,63943.90,0.003,1,1721347022956,maybe", "bad is_buyer_maker 'maybe'"),
    ])
    func badFields(row: String, reason: String) throws {
        let dir = try temporaryDirectory()
        let url = try writeFile(Self.header + row + "\n", named: "BTCUSDT-trades-2024-01-01.csv", in: dir)
        #expect(throws: ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-01-01.csv", line: 2), reason: reason)) {
            try CSVImporter(store: try Store.inMemory(), logger: .quiet).importFile(at: url)
        }
    }

    @Test("--skip-bad counts bad rows and imports the rest")
    func skipBad() throws {
        let dir = try temporaryDirectory()
        let text = Self.header + Self.rows + "104,oops,0.1,1,1721347085000,true\n105,1,2\n"
        let url = try writeFile(text, named: "BTCUSDT-trades-2024-07-18.csv", in: dir)
        let store = try Store.inMemory()
        let summary = try CSVImporter(store: store, logger: .quiet).importFile(at: url, options: ImportOptions(skipBadRows: true))
        #expect(summary.badRows == 2)
        #expect(summary.recorded.inserted == 4)
        #expect(summary.firstBadRow?.description == "BTCUSDT-trades-2024-07-18.csv:6: bad price 'oops'")
    }

    @Test("spot trades with microsecond times and aggTrades are read")
    func spotAndAggTrades() throws {
        let dir = try temporaryDirectory()
        let spot = try writeFile("1,60000.01,0.5,30000.005,1721347022956123,true,true\n",
                                 named: "BTCUSDT-trades-2025-01-01.csv", in: dir)
        let agg = try writeFile("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
                                + "7,3000.5,1.25,10,12,1721347022956,false\n", named: "whatever.csv", in: dir)
        let store = try Store.inMemory()
        let importer = CSVImporter(store: store, logger: .quiet)
        let s1 = try importer.importFile(at: spot)
        #expect(s1.kind == .trades)
        let s2 = try importer.importFile(at: agg, options: ImportOptions(symbol: "ETHUSDT"))
        #expect(s2.kind == .aggTrades)
        let snapshot = try StoreSnapshot(store)
        #expect(snapshot.ticks.map(\.timestamp.milliseconds) == [1_721_347_022_956, 1_721_347_022_956])
        #expect(snapshot.ticks.contains { $0.symbol == "ETHUSDT" && $0.tradeID == 7 && $0.quantity == 1.25 && !$0.isBuyerMaker })
    }

    @Test("a file that is not line-oriented stops with an error instead of growing memory")
    func longLine() throws {
        let dir = try temporaryDirectory()
        let url = try writeFile(String(repeating: "1", count: 200_000), named: "BTCUSDT-trades-2024-01-01.csv", in: dir)
        #expect(throws: ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-01-01.csv", line: 1),
                                            reason: "line longer than 65536 bytes; not a CSV dump?")) {
            try CSVImporter(store: try Store.inMemory(), logger: .quiet).importFile(at: url)
        }
    }

    @Test("progress is reported after each batch, up to the whole file")
    func progress() throws {
        let dir = try temporaryDirectory()
        let text = Self.header + (0..<2_500).map { "\($0),100.\($0 % 10),0.001,0.1,\(1_721_347_200_000 + Int64($0) * 10),true" }
            .joined(separator: "\n") + "\n"
        let url = try writeFile(text, named: "BTCUSDT-trades-2024-07-19.csv", in: dir)
        var reports: [ImportProgress] = []
        _ = try CSVImporter(store: try Store.inMemory(), batchSize: 1_000, logger: .quiet).importFile(at: url) { reports.append($0) }
        #expect(reports.map(\.rows) == [1_000, 2_000, 2_500])
        #expect(reports.last?.bytesRead == Int64(text.utf8.count))
        #expect(reports.last?.fraction == 1)
        #expect(reports.allSatisfy { $0.file == "BTCUSDT-trades-2024-07-19.csv" && $0.totalBytes == Int64(text.utf8.count) })
    }

    @Test("a file name without a symbol needs --symbol")
    func unknownSymbol() throws {
        let dir = try temporaryDirectory()
        let url = try writeFile(Self.rows, named: "trades.csv", in: dir)
        #expect(throws: ImportError.unknownSymbol(file: "trades.csv")) {
            try CSVImporter(store: try Store.inMemory(), logger: .quiet).importFile(at: url)
        }
    }

    @Test("an interrupted import completes on re-run with the same tables as one clean import")
    func resume() throws {
        // Given the first part of a file already stored (as after a kill between batches)
        let dir = try temporaryDirectory()
        let simulated = Array(Simulator().ticks(in: TimeRange(start: Timestamp(seconds: 1_700_000_000), end: Timestamp(seconds: 1_700_000_600))))
        let text = Self.header + simulated.filter { $0.symbol == "BTCUSDT" }.map {
            "\($0.tradeID),\($0.price),\($0.quantity),0,\($0.timestamp.milliseconds),\($0.isBuyerMaker)"
        }.joined(separator: "\n")
        let url = try writeFile(text, named: "BTCUSDT-trades-2023-11-14.csv", in: dir)
        let cut = text.split(separator: "\n").prefix(1234).joined(separator: "\n")
        let partial = try writeFile(cut, named: "BTCUSDT-trades-2023-11-14.partial.csv", in: dir)
        let resumed = try Store.inMemory()
        _ = try CSVImporter(store: resumed, batchSize: 100, logger: .quiet).importFile(at: partial)
        // When a fresh importer imports the whole file
        let summary = try CSVImporter(store: resumed, batchSize: 100, logger: .quiet).importFile(at: url)
        #expect(summary.recorded.duplicates == 1233)
        // Then everything equals a clean single import
        let clean = try Store.inMemory()
        _ = try CSVImporter(store: clean, logger: .quiet).importFile(at: url)
        let a = try StoreSnapshot(resumed)
        let b = try StoreSnapshot(clean)
        #expect(a.ticks == b.ticks)
        for (key, bars) in b.bars {
            expectBars(a.bars[key] ?? [], equal: bars, key)
        }
    }

    func runZip(_ zip: URL, _ file: URL) throws {
        let archive = try Archive(url: zip, accessMode: .create)
        try archive.addEntry(with: file.lastPathComponent, relativeTo: file.deletingLastPathComponent(),
                             compressionMethod: .deflate)
    }
}
