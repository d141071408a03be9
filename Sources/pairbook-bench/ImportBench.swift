import ArgumentParser
import Collector
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Market
import Storage

/// `pairbook-bench import`: CSV import throughput end to end vs the raw SQLite ceiling, and peak RSS.
///
/// 1. Simulates `--ticks` trades of BTCUSDT and ETHUSDT and writes them as two Binance `trades` CSVs.
/// 2. End to end: `CSVImporter` imports both into a fresh WAL database (ticks + 1s/1m/5m bars).
///    Steps 2 and 3 run `--repeat` times in turn (default 3); the fastest run of each is reported, with its CPU time.
/// 3. Raw ceilings: the same rows, already in memory and in the importer's order (file by file), inserted
///    into a fresh database with the same schema and pragmas by one prepared `INSERT` (C bind/step/reset) of
///    1 row and of 64 rows per statement, in transactions of the same size, nothing else.
/// 4. Peak RSS: the `pairbook` binary next to this one imports a `--rss-ticks` single-symbol file;
///    its peak RSS is its own `VmHWM` (/proc/<pid>/status), polled every 20 ms. Runs first, while
///    this process is still small.
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "CSV import: ticks/s end to end vs raw insert ceiling; peak RSS on a large file.")

    @Option(help: "Trades in the throughput run (two symbols).")
    var ticks = 1_000_000

    @Option(help: "Trades in the single file of the RSS run (0 skips it).")
    var rssTicks = 5_000_000

    @Option(help: "Rows per transaction (importer and raw ceiling alike).")
    var batchSize = 50_000

    @Option(name: .customLong("repeat"), help: "Runs of the end-to-end import and of each ceiling; the fastest of each is reported.")
    var repetitions = 3

    @Option(help: "Work directory (default: a fresh temporary one, removed afterwards).")
    var workDirectory: String?

    func run() throws {
        let dir = try workDirectory.map { URL(fileURLWithPath: $0) } ?? Self.temporaryDirectory()
        defer { if workDirectory == nil { try? FileManager.default.removeItem(at: dir) } }

        // 4. Peak RSS (first, before this process holds a million ticks)
        var rss: (megabytes: Double, seconds: Double)?
        if rssTicks > 0 { rss = try measureRSS(in: dir) }

        // 1. Data
        let start = Timestamp(seconds: 1_704_067_200)  // 2024-01-01T00:00:00Z
        let simulator = Simulator()
        let ticks = Array(simulator.ticks(in: TimeRange(start: start, end: start + .days(7))).prefix(self.ticks))
        var files: [URL] = []
        for symbol in [simulator.pair.base, simulator.pair.quote] {
            let url = dir.appendingPathComponent("\(symbol)-trades-2024-01-01.csv")
            try Self.writeCSV(ticks.lazy.filter { $0.symbol == symbol }, to: url)
            files.append(url)
        }

        // 2 and 3, `--repeat` times in turn; the fastest run of each counts (the machine is shared).
        let fileOrder = [simulator.pair.base, simulator.pair.quote].flatMap { symbol in ticks.filter { $0.symbol == symbol } }
        var importSeconds = Double.infinity
        var importCPU = 0.0
        var bars = 0
        var ceilings: [(rows: Int, seconds: Double, cpu: Double)] = [(1, .infinity, 0), (64, .infinity, 0)]
        for run in 0..<max(1, repetitions) {
            // 2. End to end
            let importPath = dir.appendingPathComponent("import-\(run).sqlite").path
            let store = try Store(path: importPath, logger: .bench("import"))
            let importer = CSVImporter(store: store, timeframes: Timeframe.defaults, batchSize: batchSize, logger: .bench("import"))
            let t0 = ContinuousClock.now
            let c0 = Self.cpuSeconds()
            var inserted = 0
            bars = 0
            for file in files {
                let summary = try importer.importFile(at: file)
                inserted += summary.recorded.inserted
                bars += summary.recorded.barsWritten
            }
            let seconds = Self.seconds(since: t0)
            if seconds < importSeconds { (importSeconds, importCPU) = (seconds, Self.cpuSeconds() - c0) }
            guard inserted == ticks.count else { throw BenchError.mismatch("imported \(inserted) of \(ticks.count) ticks") }

            // 3. Raw ceilings: one row per statement (the issue's "plain prepared statements"), and 64 rows per
            //    statement (what the end-to-end path uses for new trades). In the order the importer writes
            //    them: file by file (all BTCUSDT, then all ETHUSDT).
            for (i, ceiling) in ceilings.enumerated() {
                let rawPath = dir.appendingPathComponent("raw-\(ceiling.rows)-\(run).sqlite").path
                _ = try Store(path: rawPath, logger: .bench("import"))  // same schema
                let c1 = Self.cpuSeconds()
                let seconds = try Self.rawInsert(fileOrder, into: rawPath, batchSize: batchSize, rowsPerStatement: ceiling.rows)
                if seconds < ceiling.seconds { ceilings[i] = (ceiling.rows, seconds, Self.cpuSeconds() - c1) }
            }
            for name in ["import-\(run)", "raw-1-\(run)", "raw-64-\(run)"] {
                for suffix in ["", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(at: dir.appendingPathComponent("\(name).sqlite\(suffix)"))
                }
            }
        }

        let n = Double(ticks.count)
        let e2e = n / importSeconds
        let e2eCPU = n / importCPU
        func percent(_ a: Double, _ b: Double) -> String { "\(Int((a / b * 100).rounded())) %" }
        var rows = """
            | end to end: \(ticks.count) ticks, 2 symbols, CSV → ticks + 1s/1m/5m bars (\(bars) bar writes; new trades 64 rows per INSERT) | \(Int(e2e)) ticks/s (\(Self.fixed(importSeconds)) s, \(Int(e2eCPU)) per CPU-s) | ≥ 400,000 ticks/s |

            """
        for ceiling in ceilings {
            let raw = n / ceiling.seconds
            let rawCPU = n / ceiling.cpu
            let how = ceiling.rows == 1 ? "one prepared INSERT, 1 row per statement" : "prepared INSERT, \(ceiling.rows) rows per statement"
            rows += """
                | raw ceiling: same rows, \(how), same schema and pragmas, \(batchSize) rows/transaction | \(Int(raw)) rows/s (\(Self.fixed(ceiling.seconds)) s, \(Int(rawCPU)) per CPU-s) | |
                | end to end / this ceiling: wall (CPU) | \(percent(e2e, raw)) (\(percent(e2eCPU, rawCPU))) | ≥ 60 % |

                """
        }
        print("""
            ### Import (`pairbook-bench import`), fastest of \(max(1, repetitions)) runs each

            | measure | value | target |
            | --- | --- | --- |
            \(rows)| peak RSS of `pairbook import` on a \(rssTicks)-tick file | \(rss.map { "\(Self.fixed($0.megabytes, 1)) MB (\(Self.fixed($0.seconds)) s)" } ?? "not measured") | < 150 MB |
            """)
    }

    // MARK: - Steps

    /// Inserts `ticks` into `tick_rows` with one prepared statement of `rowsPerStatement` rows (C bind/step/reset),
    /// `batchSize` per transaction, on the pragmas of `Store` (WAL, synchronous NORMAL, 32 MiB cache, checkpoint
    /// every 10,000 pages). Symbol ids are resolved once, before the clock starts. Returns seconds.
    static func rawInsert(_ ticks: [Tick], into path: String, batchSize: Int, rowsPerStatement: Int) throws -> Double {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: """
                PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;
                PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864
                """)
        }
        let pool = try DatabasePool(path: path, configuration: config)
        var ids: [Symbol: Int64] = [:]
        try pool.write { db in
            for symbol in Set(ticks.map(\.symbol)) {
                try db.execute(sql: "INSERT INTO symbols (name) VALUES (?)", arguments: [symbol.name])
                ids[symbol] = db.lastInsertedRowID
            }
        }
        let symbolIDs = ticks.map { ids[$0.symbol] ?? 0 }
        let values = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: rowsPerStatement).joined(separator: ", ")
        let sql = "INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker) VALUES \(values)"
        let t0 = ContinuousClock.now
        var index = 0
        while index < ticks.count {
            let end = min(index + batchSize, ticks.count)
            try pool.write { db in
                let raw = try db.cachedStatement(sql: sql).sqliteStatement
                let one = try db.cachedStatement(
                    sql: "INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker) VALUES (?, ?, ?, ?, ?, ?)"
                ).sqliteStatement
                // Full statements, then the batch's tail (fewer rows than a statement) row by row, as the importer does.
                let fullRows = (end - index) / rowsPerStatement * rowsPerStatement
                for row in 0..<(end - index) {
                    let tick = ticks[index + row]
                    let bulk = row < fullRows
                    let statement = bulk ? raw : one
                    let first: Int32 = bulk ? Int32(row % rowsPerStatement * 6 + 1) : 1
                    sqlite3_bind_int64(statement, first, symbolIDs[index + row])
                    sqlite3_bind_int64(statement, first + 1, tick.timestamp.milliseconds)
                    sqlite3_bind_int64(statement, first + 2, tick.tradeID)
                    sqlite3_bind_double(statement, first + 3, tick.price)
                    sqlite3_bind_double(statement, first + 4, tick.quantity)
                    sqlite3_bind_int(statement, first + 5, tick.isBuyerMaker ? 1 : 0)
                    if !bulk || (row + 1) % rowsPerStatement == 0 {
                        let code = sqlite3_step(statement)
                        sqlite3_reset(statement)
                        guard code == SQLITE_DONE else { throw BenchError.mismatch("raw insert failed: \(code)") }
                    }
                }
            }
            index = end
        }
        return seconds(since: t0)
    }

    /// Writes a single-symbol file of `rssTicks` trades and has the `pairbook` binary import it.
    func measureRSS(in dir: URL) throws -> (megabytes: Double, seconds: Double) {
        let leader = SimulatedInstrument(
            symbol: "BTCUSDT", startPrice: 60_000, tickSize: 0.1, lotSize: 0.001, tradesPerSecond: 60,
            meanQuantity: 0.05, firstTradeID: 1)
        var follower = SimulatedInstrument.ethusdt
        follower.tradesPerSecond = 1e-9
        let simulator = Simulator(configuration: .init(leader: leader, follower: follower))
        let start = Timestamp(seconds: 1_704_067_200)
        let file = dir.appendingPathComponent("BTCUSDT-trades-2024-01-02.csv")
        try Self.writeCSV(simulator.ticks(in: TimeRange(start: start, end: start + .days(30))).prefix(rssTicks), to: file)

        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("pairbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchError.mismatch("pairbook binary not found next to pairbook-bench at \(binary.path)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["import", "--db", dir.appendingPathComponent("rss.sqlite").path, file.path]
        process.standardOutput = FileHandle.nullDevice
        let t0 = ContinuousClock.now
        try process.run()
        // The child's own high-water mark (VmHWM, reset by exec), polled until it exits. (`getrusage` of
        // children is not used: a vfork-style spawn charges the parent's pages to the child before exec.)
        var peakKiB = 0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peakKiB = max(peakKiB, kib)
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        let elapsed = Self.seconds(since: t0)
        guard process.terminationStatus == 0 else { throw BenchError.mismatch("pairbook import exited \(process.terminationStatus)") }
        return (Double(peakKiB) / 1024, elapsed)
    }

    // MARK: - Helpers

    /// Writes trades as a USD-M futures `trades` dump with header, in 1 MiB appends.
    static func writeCSV(_ ticks: some Sequence<Tick>, to url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer = "id,price,qty,quote_qty,time,is_buyer_maker\n"
        for t in ticks {
            buffer += "\(t.tradeID),\(t.price),\(t.quantity),\(t.price * t.quantity),\(t.timestamp.milliseconds),\(t.isBuyerMaker)\n"
            if buffer.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: Data(buffer.utf8))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-bench-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// CPU time of this process (all threads), seconds.
    static func cpuSeconds() -> Double { BenchClock.cpuMilliseconds() / 1000 }

    static func fixed(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    enum BenchError: Error, CustomStringConvertible {
        case mismatch(String)
        var description: String {
            switch self {
            case .mismatch(let text): return text
            }
        }
    }
}
