import Collector
import Crypto
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing
import ZIPFoundation

@Suite("DumpFetcher against a local data.binance.vision layout", .enabled(if: SharedData.isAvailable, Comment(rawValue: SharedData.skipReason)))
struct DumpFetcherTests {
    /// A zip of the first 500 derived BTCUSDT trades (real data, data.binance.vision `trades` layout).
    static func tradesZip(in directory: URL) throws -> Data {
        let csv = try String(contentsOf: SharedData.url("binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").prefix(501).joined(separator: "\n") + "\n"
        let zipURL = directory.appendingPathComponent("source.zip")
        let archive = try Archive(url: zipURL, accessMode: .create)
        let data = Data(rows.utf8)
        try archive.addEntry(with: "BTCUSDT-trades-2024-07-18.csv", type: .file, uncompressedSize: Int64(data.count),
                             provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        return try Data(contentsOf: zipURL)
    }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test("downloads, verifies the SHA-256, imports; skips unpublished days; rejects a bad checksum; a re-run skips imported days")
    func fetchAndImport() async throws {
        let work = try Fixtures.temporaryDirectory(prefix: "pairbook-fetch")
        defer { try? FileManager.default.removeItem(at: work) }
        let zip = try Self.tradesZip(in: work)
        let good = "/data/futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-07-18.zip"
        let bad = "/data/futures/um/daily/trades/ETHUSDT/ETHUSDT-trades-2024-07-18.zip"
        let handler: FakeHTTPServer.Handler = { request in
            switch request.path {
            case good: return .init(body: zip, contentType: "application/zip")
            case good + ".CHECKSUM": return .init(body: Data("\(Self.hex(zip))  BTCUSDT-trades-2024-07-18.zip\n".utf8), contentType: "text/plain")
            case bad: return .init(body: zip, contentType: "application/zip")
            case bad + ".CHECKSUM": return .init(body: Data("\(String(repeating: "0", count: 64))  ETHUSDT-trades-2024-07-18.zip\n".utf8))
            default: return .notFound
            }
        }
        let store = try Store.inMemory()
        let downloads = work.appendingPathComponent("downloads")
        try await FakeHTTPServer.withServer(handler) { server in
            let fetcher = DumpFetcher(baseURL: server.baseURL, directory: downloads)
            let from = try Timestamp(parsing: "2024-07-18")
            let to = try Timestamp(parsing: "2024-07-19")
            // When fetching two days of two symbols
            let results = await fetcher.run(symbols: ["BTCUSDT", "ETHUSDT"], kind: .trades, from: from, to: to,
                                            importer: CSVImporter(store: store, logger: .quiet))
            #expect(results.map(\.day) == ["2024-07-18", "2024-07-19", "2024-07-18", "2024-07-19"])
            #expect(results[0].outcome == .imported(rows: 500))
            #expect(results[1].outcome == .notPublished)
            guard case .failed(let reason) = results[2].outcome else {
                Issue.record("a checksum mismatch must fail the day")
                return
            }
            #expect(reason.contains("does not match"))
            #expect(results[3].outcome == .notPublished)
            #expect(!FileManager.default.fileExists(atPath: downloads.appendingPathComponent("ETHUSDT-trades-2024-07-18.zip").path))
            // And a second run skips what was imported without downloading it again
            let requestsBefore = server.requests.count
            let again = await fetcher.run(symbols: ["BTCUSDT"], kind: .trades, from: from, to: from, importer: CSVImporter(store: store, logger: .quiet))
            #expect(again.map(\.outcome) == [.alreadyImported])
            #expect(server.requests.count == requestsBefore)
        }
        var count = 0
        try store.forEachTick(of: "BTCUSDT", in: TimeRange(start: Timestamp(milliseconds: 0), end: Timestamp(milliseconds: 4_102_444_800_000))) { _ in count += 1 }
        #expect(count == 500)
    }

    @Test("paths and days follow the data.binance.vision USD-M layout")
    func layout() throws {
        #expect(DumpFetcher.path(symbol: "BTCUSDT", kind: .aggTrades, day: "2024-01-31")
            == "/data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-01-31.zip")
        #expect(DumpFetcher.path(symbol: "ETHUSDT", kind: .klines1m, day: "2024-02-29")
            == "/data/futures/um/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2024-02-29.zip")
        #expect(DumpFetcher.days(from: try Timestamp(parsing: "2024-02-28"), to: try Timestamp(parsing: "2024-03-01"))
            == ["2024-02-28", "2024-02-29", "2024-03-01"])
    }
}
