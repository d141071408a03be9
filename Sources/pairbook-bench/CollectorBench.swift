import ArgumentParser
import Collector
import Foundation
import Logging
import Market
import PairbookApp
import PairbookTestSupport
import ServiceLifecycle
import Storage
import Synchronization

/// `pairbook-bench collector`: the live collector end to end against a local replay server.
///
/// For each rate, a ``FakeBinanceServer`` on 127.0.0.1 sends trade frames (real BTCUSDT/ETHUSDT trades of
/// 2024-07-18/19 with renumbered ids, so that a long run stays gap-free) at that many frames per second;
/// `BinanceStream` + `LiveRecorder` + `Recorder` write them into a fresh WAL database (ticks and 1s/1m/5m
/// bars). Reported: receive-to-commit latency p50/p99/max (the collector's own fixed-size histogram; the
/// bench keeps no per-tick samples), process CPU over the run, RSS at the start, middle and end of the
/// steady state and its peak, the RSS trace each second (memory must level off: the store's SQLite page cache,
/// 32 MiB per connection, fills during the first ~40 s at 20,000 ticks/s), and how full the bounded event queue
/// got. Server and collector share the process and the machine's cores.
struct CollectorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Live collector: receive-to-commit latency and CPU at 1,000 and 20,000 ticks/s from a local server.")

    @Option(help: "Rates to replay, ticks/s, comma-separated.")
    var rates = "1000,20000"

    @Option(help: "Seconds per rate.")
    var seconds = 30

    @Option(help: "Real capture directory (default: ../shared/data or PAIRBOOK_SHARED_DATA).")
    var sharedData: String?

    func run() async throws {
        let rates = rates.split(separator: ",").compactMap { Int($0) }
        try Self.decodeBench()
        let template = try Self.templateTrades()
        var rows: [[String]] = []
        var traces: [(rate: Int, rssMB: [Int])] = []
        for rate in rates {
            let (row, trace) = try await Self.measure(rate: rate, seconds: seconds, template: template)
            rows.append(row)
            traces.append((rate, trace))
        }
        print("### Collector (live WebSocket → SQLite), \(seconds) s per rate, server in the same process")
        print()
        print("| ticks/s | ticks committed | lag p50 | lag p99 | lag max | CPU (% of one core) | RSS start → middle → end (peak) | queue high-water / waits |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows { print("| " + row.joined(separator: " | ") + " |") }
        print()
        for trace in traces { print("RSS each second at \(trace.rate) ticks/s (MB): \(trace.rssMB.map(String.init).joined(separator: " "))") }
    }

    /// Decoder throughput on every frame of the real captures: the byte scanner vs `JSONDecoder`.
    static func decodeBench() throws {
        let frames = try FakeBinanceServer.Capture.frames(["btcusdt_20240719.gz", "ethusdt_20240719.gz"]).map { Array($0.utf8) }
        let bytes = frames.reduce(0) { $0 + $1.count }
        var decoder = BinanceMessageDecoder()
        var trades = 0
        let t0 = ContinuousClock.now
        for frame in frames {
            if case .trade? = try? decoder.decode(frame) { trades += 1 }
        }
        let scanner = t0.duration(to: .now)
        let json = JSONDecoder()
        var codableTrades = 0
        let t1 = ContinuousClock.now
        for frame in frames {
            if let envelope = try? json.decode(Envelope.self, from: Data(frame)), envelope.data.e == "trade",
               envelope.data.X == "MARKET", let p = envelope.data.p.flatMap(Double.init), let q = envelope.data.q.flatMap(Double.init),
               p > 0, q >= 0 {
                codableTrades += 1
            }
        }
        let codable = t1.duration(to: .now)
        func rate(_ d: Duration) -> String {
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return String(format: "%.0f k frames/s (%.2f µs/frame)", Double(frames.count) / seconds / 1000, seconds / Double(frames.count) * 1e6)
        }
        print("### Collector frame decoding (\(frames.count) real frames, \(bytes / 1024) KiB, \(trades) trades)")
        print()
        print("| decoder | throughput |")
        print("| --- | ---: |")
        print("| BinanceMessageDecoder (byte scanner) | \(rate(scanner)) |")
        print("| JSONDecoder (Codable envelope) | \(rate(codable)) |")
        print()
        precondition(trades == codableTrades, "decoders disagree: \(trades) vs \(codableTrades)")
    }

    private struct Envelope: Decodable {
        struct Event: Decodable {
            var e: String?
            var s: String?
            var t: Int64?
            var T: Int64?
            var p: String?
            var q: String?
            var X: String?
            var m: Bool?
        }
        var data: Event
    }

    /// Real trades to cycle through.
    static func templateTrades() throws -> [Tick] {
        var decoder = BinanceMessageDecoder()
        var ticks: [Tick] = []
        for frame in try FakeBinanceServer.Capture.frames(["btcusdt_20240719.gz", "ethusdt_20240719.gz"]) {
            if case .trade(let tick) = try decoder.decode(frame) { ticks.append(tick) }
        }
        guard !ticks.isEmpty else { throw ValidationError("no trades found in the captures") }
        return ticks
    }

    /// `count` combined-stream trade frames with contiguous ids per symbol and trade times paced at `rate`; a symbol of
    /// the template named in `renaming` is sent as its new name (a second collector's symbols).
    static func frames(count: Int, rate: Int, template: [Tick], renaming: [Symbol: Symbol] = [:]) -> [String] {
        var nextID: [Symbol: Int64] = [:]
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        var frames: [String] = []
        frames.reserveCapacity(count)
        for i in 0..<count {
            let tick = template[i % template.count]
            let symbol = renaming[tick.symbol] ?? tick.symbol
            let id = nextID[symbol, default: 1_000_000_000]
            nextID[symbol] = id + 1
            let time = Timestamp(milliseconds: start + Int64(i) * 1000 / Int64(rate))
            frames.append(Tick(symbol: symbol, tradeID: id, timestamp: time, price: tick.price, quantity: tick.quantity,
                               isBuyerMaker: tick.isBuyerMaker).tradeFrame)
        }
        return frames
    }

    /// Replays `frames` at `rate` frames/s from a ``FakeBinanceServer`` to a collector of `symbols` wired exactly as
    /// `pairbook collect` and `pairbook run` wire it (no REST endpoint: no backfill), recording into `store`.
    ///
    /// The first second is warm-up: its lag is dropped from `stats`. Then `playing` runs until it returns (it waits
    /// for the script to be played: `server.waitUntilFinished`); once every frame's trade is committed `committed`
    /// runs, and the collector is shut down gracefully.
    static func replay(_ frames: [String], rate: Int, symbols: [Symbol], into store: any LiveStore, stats: CollectorStats,
                       logger: Logger, playing: @escaping @Sendable (FakeBinanceServer) async throws -> Void,
                       committed: @escaping @Sendable (LiveEventQueue) -> Void = { _ in }) async throws {
        try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map { .frame($0) },
                                               framesPerSecond: Double(rate)) { server in
            let collector = try await LiveCollector(
                stream: BinanceStreamConfiguration(symbols: symbols, endpoint: server.baseURL),
                timeframes: Timeframe.defaults, restEndpoint: nil, apiKey: nil, store: store,
                statusInterval: .seconds(3600), statusLine: { _ in }, logger: logger, stats: stats)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: collector.services, logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await FakeBinanceServer.wait(timeout: .seconds(30)) { stats.snapshot().committedTicks >= rate }
                _ = stats.takeLag()
                try await playing(server)
                try await FakeBinanceServer.wait(timeout: .seconds(30)) { stats.snapshot().committedTicks >= frames.count }
                committed(collector.queue)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    /// `12.3 ms`, or `-` when there is no value.
    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.1f ms", value)
    }

    /// One run at `rate`: the table row and the RSS sampled each second (MB).
    static func measure(rate: Int, seconds: Int, template: [Tick]) async throws -> (row: [String], rssMB: [Int]) {
        let count = rate * seconds
        let frames = frames(count: count, rate: rate, template: template)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-collector-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger.bench("collector")
        let store = try Store(path: directory.appendingPathComponent("bench.sqlite").path, logger: logger)
        let stats = CollectorStats()
        let sample = Sample()
        let queueStatistics = Mutex(LiveEventQueue.Statistics())

        try await replay(frames, rate: rate, symbols: ["BTCUSDT", "ETHUSDT"], into: store, stats: stats, logger: logger) { server in
            sample.start()
            // RSS once a second while the script plays (a fixed number of samples); awaited before stop().
            async let sampled: Void = {
                while !server.isFinished {
                    try? await Task.sleep(for: .seconds(1))
                    sample.recordRSS()
                }
            }()
            try await server.waitUntilFinished(timeout: .seconds(Int64(seconds) * 3 + 30))
            await sampled
        } committed: { queue in
            sample.stop()
            queueStatistics.withLock { $0 = queue.statistics }
        }
        let lag = stats.takeLag()
        let snapshot = stats.snapshot()
        let row = [
            "\(rate)", "\(snapshot.committedTicks)", milliseconds(lag.quantile(0.5)), milliseconds(lag.quantile(0.99)),
            milliseconds(lag.max),
            String(format: "%.0f %%", sample.cpuPercent),
            "\(sample.rssStartMB) → \(sample.rssMiddleMB) → \(sample.rssEndMB) MB (\(sample.rssPeakMB))",
            "\(queueStatistics.withLock { $0.highWaterMark }) / \(queueStatistics.withLock { $0.waitsForSpace })",
        ]
        return (row, [sample.rssStartMB] + sample.rssSamplesMB + [sample.rssEndMB])
    }

    /// CPU and RSS over the measured part of a run.
    final class Sample: @unchecked Sendable {
        // @unchecked: start() and stop() run on the bench's task before and after the sampler task, which alone
        // calls recordRSS() in between (it is awaited before stop()); no two tasks touch it at once.
        var wallStart = ContinuousClock.now
        var cpuStart = 0.0
        var cpuPercent = 0.0
        var rssStartMB = 0
        var rssEndMB = 0
        /// RSS once a second during the run (≤ one per second: a few dozen values).
        var rssSamplesMB: [Int] = []

        var rssMiddleMB: Int { rssSamplesMB.isEmpty ? rssStartMB : rssSamplesMB[rssSamplesMB.count / 2] }
        var rssPeakMB: Int { max(rssStartMB, rssEndMB, rssSamplesMB.max() ?? 0) }

        func start() {
            wallStart = .now
            cpuStart = Self.cpuSeconds()
            rssStartMB = Self.rssMB()
        }

        func recordRSS() { rssSamplesMB.append(Self.rssMB()) }

        func stop() {
            let wall = wallStart.duration(to: .now)
            let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            cpuPercent = (Self.cpuSeconds() - cpuStart) / max(seconds, 0.001) * 100
            rssEndMB = Self.rssMB()
        }

        static func cpuSeconds() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }

        static func rssMB() -> Int {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { return 0 }
            return kb / 1024
        }
    }
}
