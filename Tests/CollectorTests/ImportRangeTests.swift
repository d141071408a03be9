import Collector
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// Absurd times and ids in real dumps (one row altered): a named bad row, never a trap or a silent import.
@Suite(.enabled(if: SharedData.isAvailable, "\(SharedData.skipReason)"))
struct ImportRangeTests {
    /// The importer's clock: 2024-07-20T00:00:00Z, so times up to 2024-07-21T00:00:00Z are accepted.
    static let now = Timestamp(milliseconds: 1_721_433_600_000)
    static let accepted = "2017-01-01T00:00:00.000Z…2024-07-21T00:00:00.000Z"

    static func importer(_ store: Store) -> CSVImporter {
        CSVImporter(store: store, logger: .quiet, wallClock: { ImportRangeTests.now })
    }

    /// The real file `source` written to a temp folder as `name`, with field `field` of line `line` (1-based) replaced.
    static func altered(_ source: String, named name: String, line: Int, field: Int, with value: String) throws -> URL {
        var lines = try String(contentsOf: SharedData.url(source), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var fields = lines[line - 1].split(separator: ",", omittingEmptySubsequences: false)
        fields[field] = Substring(value)
        lines[line - 1] = Substring(fields.joined(separator: ","))
        return try writeFile(lines.joined(separator: "\n"), named: name, in: try temporaryDirectory())
    }

    static let klines = "binance-usdm-klines-1m-2023-01-01_03/BTCUSDT-1m-2023-01-01.csv"
    static let trades = "binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv"

    @Test("a kline whose open_time is absurd is a bad row naming file and line", arguments: [
        "-9223372036854775807", "99999999960000", "1483228740000",
    ])
    func klineOpenTime(value: String) throws {
        let url = try Self.altered(Self.klines, named: "BTCUSDT-1m-2023-01-01.csv", line: 101, field: 0, with: value)
        let expected = ImportError.badRow(SourceLocation(file: "BTCUSDT-1m-2023-01-01.csv", line: 101),
                                          reason: "open_time \(value) is outside \(Self.accepted)")
        #expect(throws: expected) { try Self.importer(try Store.inMemory()).importFile(at: url) }
        // With --skip-bad the row is counted and the other 1439 are imported
        let store = try Store.inMemory()
        let summary = try Self.importer(store).importFile(at: url, options: ImportOptions(skipBadRows: true))
        #expect(summary.badRows == 1 && summary.firstBadRow == expected)
        #expect(summary.recorded.inserted == 1439)
        #expect(try store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).count == 1439)
    }

    @Test("an absurd first kline of a file of unknown interval is a bad row, not a trap")
    func klineIntervalFromAbsurdRow() throws {
        let url = try Self.altered(Self.klines, named: "BTCUSDT-klines.csv", line: 2, field: 0, with: "-9223372036854775807")
        #expect(throws: ImportError.badRow(SourceLocation(file: "BTCUSDT-klines.csv", line: 2),
                                           reason: "bad open_time/close_time '-9223372036854775807/1672531259999'")) {
            try Self.importer(try Store.inMemory()).importFile(at: url, options: ImportOptions(kind: .klines(nil)))
        }
    }

    @Test("a trade from the far future, the distant past or with an absurd id is a bad row", arguments: [
        (4, "99999999999999", "time 99999999999999 is outside \(accepted)"),
        (4, "-9223372036854775807", "time -9223372036854775807 is outside \(accepted)"),
        (4, "1721520000001", "time 1721520000001 is outside \(accepted)"),
        (0, "9223372036854775807", "id 9223372036854775807 is outside 0…9007199254740991"),
        (0, "-5", "id -5 is outside 0…9007199254740991"),
    ])
    func tradeTimeAndID(field: Int, value: String, reason: String) throws {
        let url = try Self.altered(Self.trades, named: "BTCUSDT-trades-2024-07-18.csv", line: 5000, field: field, with: value)
        let expected = ImportError.badRow(SourceLocation(file: "BTCUSDT-trades-2024-07-18.csv", line: 5000), reason: reason)
        let store = try Store.inMemory()
        #expect(throws: expected) { try Self.importer(store).importFile(at: url) }
        // Rows before it are stored; nothing from the far future is
        #expect(try store.tickCount() < 5000)
        let skipped = try Self.importer(try Store.inMemory()).importFile(at: url, options: ImportOptions(skipBadRows: true))
        #expect(skipped.badRows == 1 && skipped.firstBadRow == expected)
    }
}
