import Collector
import DataMigration
import Foundation
import Market
import PairbookTestSupport
import Storage
import Testing

/// A database with something in every table `pairbook migrate` copies: the real trades of BTCUSDT and ETHUSDT
/// (2024-07-18/19) with their bars, real 1-minute klines (bars without trades, rolled up to 5m and 1h), two alert
/// rules, two report runs, alert events pointing at them, analytics results and stream gaps.
enum MigrationSample {
    static let tradeFiles = [
        "binance-usdm-trades-2024-07-18/derived/BTCUSDT-um-trades-20240718-19.derived.csv",
        "binance-usdm-trades-2024-07-18/derived/ETHUSDT-um-trades-20240718-19.derived.csv",
    ]
    static let klineFile = "binance-usdm-klines-1m-2023-01-01_03/BTCUSDT-1m-2023-01-01.csv"

    /// Writes the sample into a new SQLite file at `path`.
    static func write(to path: String) throws -> Store {
        let store = try Store(path: path, logger: .quiet)
        for file in tradeFiles { _ = try CSVImporter(store: store, logger: .quiet).importFile(at: SharedData.url(file)) }
        _ = try CSVImporter(store: store, timeframes: [.oneMinute, .fiveMinutes, .oneHour], logger: .quiet)
            .importFile(at: SharedData.url(klineFile))
        try addTables(to: store)
        return store
    }

    /// Rules, runs, events, analytics and gaps.
    static func addTables(to store: Store) throws {
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)
        _ = try store.insertAlertRule(name: "z high", definition: #"{"name":"z high","metric":"z_score","condition":">","threshold":2}"#,
                                      enabled: true, at: t0)
        _ = try store.insertAlertRule(name: "corr low", definition: #"{"name":"corr low","metric":"correlation","condition":"<","threshold":0.5}"#,
                                      enabled: false, at: t0 + .seconds(5))
        let first = try store.beginReportRun(script: "Reports/pair-overview.md", params: #"{"base":"BTCUSDT"}"#, startedAt: t0)
        try store.finishReportRun(id: first, finishedAt: t0 + .seconds(3), status: .alert, outputs: #"["a.html","a.pdf"]"#, error: nil)
        let worker = LeaseHolder(id: "worker-1", host: "reports-1", pid: 4242)
        let second = try #require(try store.claimReportSlot("pair-overview 2024-07-19T00:01:00Z", script: "Reports/pair-overview.md",
                                                            params: #"{"base":"ETHUSDT"}"#, startedAt: t0 + .seconds(60),
                                                            worker: worker, staleAfter: .minutes(30)))
        try store.recordAlertEvents([
            AlertEventRecord(source: "script:pair-overview", rule: "z high", symbolPair: "BTCUSDT/ETHUSDT", metric: "z_score",
                             value: 1.5, threshold: 2, state: "pending", time: t0, reportRun: first),
            AlertEventRecord(source: "script:pair-overview", rule: "z high", symbolPair: "BTCUSDT/ETHUSDT", metric: "z_score",
                             value: 2.25, threshold: 2, state: "firing", time: t0 + .seconds(1), reportRun: second),
            AlertEventRecord(source: "dashboard", rule: "corr low", symbolPair: "BTCUSDT/ETHUSDT", metric: "correlation",
                             value: nil, threshold: 0.5, state: "nodata", time: t0 + .seconds(2), reportRun: nil),
        ])
        var rows: [AnalyticsResultRecord] = []
        for i in 0..<40 {
            let x = Double(i)
            let full = i >= 10
            rows.append(AnalyticsResultRecord(
                symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneSecond, time: t0 + .seconds(Int64(i)),
                hedgeRatio: full ? 18.5 + x / 1e3 : nil, intercept: full ? -0.25 : nil, spread: 1.0 / (x + 3),
                zScore: full ? (x - 20) / 7 : nil, correlation: 0.8, adfStatistic: -3.1, adfPValue: 0.025, spreadMean: nil,
                spreadStd: nil, halfLife: 12.5))
        }
        try store.replaceAnalyticsResults(rows, symbolPair: "BTCUSDT/ETHUSDT", timeframe: .oneSecond)
        try store.write { tx in
            try tx.insert(StreamGap(symbol: "BTCUSDT", fromTradeID: 5_182_006_000, toTradeID: 5_182_006_010, fromTime: t0,
                                    toTime: t0 + .seconds(1), detectedAt: t0 + .seconds(2), filledAt: t0 + .seconds(9)))
            try tx.insert(StreamGap(symbol: "ETHUSDT", fromTradeID: 4_217_900_000, toTradeID: 4_217_900_003, fromTime: t0,
                                    toTime: t0 + .seconds(1), detectedAt: t0 + .seconds(2)))
        }
    }
}

/// Everything `pairbook migrate` copies, read back from a store, with row ids left out and references replaced by
/// the natural key of the row they point at: two stores with the same data give equal contents.
struct StoreContents: Equatable {
    var trades: [Symbol: [Tick]] = [:]
    var bars: [String: [Bar]] = [:]
    var tables: [String: [[StoredValue]]] = [:]

    /// The same contents with the rows of each table in one order (for stores that got rows in another order).
    var sortingRows: StoreContents {
        var sorted = self
        sorted.tables = tables.mapValues { $0.sorted { "\($0)" < "\($1)" } }
        return sorted
    }

    var tradeCount: Int { trades.values.reduce(0) { $0 + $1.count } }
    var barCount: Int { bars.values.reduce(0) { $0 + $1.count } }
    var tableRowCount: Int { tables.values.reduce(0) { $0 + $1.count } }

    init(of store: any MigratableStore) async throws {
        for symbol in try await store.tradeSymbols() {
            trades[symbol] = try await store.trades(of: symbol, after: nil, limit: 10_000_000)
        }
        for (symbol, timeframe) in try await store.barSeriesKeys() {
            bars["\(symbol) \(timeframe)"] = try await store.bars(of: symbol, timeframe: timeframe, after: nil, limit: 10_000_000)
        }
        var keys: [String: [Int64: StoredValue]] = [:]
        for table in StoredTable.all {
            keys[table.name] = Dictionary(uniqueKeysWithValues: try await store.naturalKeys(of: table).map {
                ($0.id, StoredValue.text("\($0.values)"))
            })
        }
        for table in StoredTable.all {
            tables[table.name] = try await store.rows(of: table, afterID: nil, limit: 10_000_000).map { row in
                var values = row.values
                if let reference = table.reference, case .integer(let id) = values[reference.column] {
                    values[reference.column] = keys[reference.table]?[id] ?? .text("dangling \(id)")
                }
                return values
            }
        }
    }
}
