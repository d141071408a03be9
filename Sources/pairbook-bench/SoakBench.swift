import ArgumentParser
import Collector
import Foundation
import Logging
import Market
import PairbookTestSupport
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// `pairbook-bench soak`: the release `pairbook run` binary for 10 minutes against a local replay server.
///
/// A ``FakeBinanceServer`` on 127.0.0.1 sends BTCUSDT + ETHUSDT trade frames (real trades of 2024-07-18/19 with
/// renumbered, contiguous ids per symbol, as in `pairbook-bench collector`) at `--rate` frames per second. The
/// `pairbook` binary next to this one runs as a child: `pairbook run --endpoint ws://127.0.0.1:<port> --db <tmp>
/// --report <copy of Reports/pair-overview.md scheduled every minute, 1s bars, 5m lookback> --copy-to <tmp>
/// --listen 127.0.0.1:<port>`. The bench samples the child's RSS (`/proc/<pid>/status`) every second, scrapes
/// `/metrics` and `/healthz` at the end, sends SIGTERM and waits for exit 0, then opens the database and checks:
///
/// - **no tick lost**: every frame of the script was written to the child's socket, and every trade id the
///   server sent is in `tick_data`;
/// - **every slot reported**: every whole minute between the moment the child answered `/healthz` and SIGTERM
///   (minus a 5 s margin) has exactly one `report_runs` row that finished `ok` (or `alert`: finished, with firing
///   alerts), and no run failed;
/// - **memory flat**: RSS without the heap SQLite holds (`pairbook_sqlite_memory_bytes`: page caches that fill up to
///   their `cache_size` bound in the first minutes) grows by at most `--rss-growth-limit` MB from the middle of
///   the replay to its end;
/// - **metrics**: `/metrics` carries every metric of README's table, and its per-symbol tick counters equal
///   the rows stored; `/healthz` answers 200.
///
/// Prints a Markdown table for BENCHMARKS.md and exits non-zero when a check fails (the table says which).
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "pairbook run for 10 minutes at 2,000 ticks/s with a report every minute: ticks, slots, RSS, metrics.")

    @Option(help: "Seconds of replay (the run lasts this long plus start-up and shutdown).")
    var duration = 600

    @Option(help: "Trade frames per second sent by the replay server (two symbols together).")
    var rate = 2000

    @Option(help: "Report script to copy and schedule every minute.")
    var script = "Reports/pair-overview.md"

    @Option(help: "Largest growth of RSS without SQLite's heap from the middle to the end of the run, MB.")
    var rssGrowthLimit = 8.0

    @Option(help: "The pairbook binary (default: next to pairbook-bench).")
    var pairbook: String?

    @Flag(help: "Keep the temporary folder (database, reports, child log) even when every check passes.")
    var keep = false

    /// The metrics `pairbook run` must export (README's table; Monitoring's `MetricNames.all`, which this target does not import).
    static let requiredMetrics = [
        "pairbook_ticks_ingested_total", "pairbook_frames_total", "pairbook_reconnects_total", "pairbook_gaps_total",
        "pairbook_receive_to_commit_seconds", "pairbook_report_duration_seconds", "pairbook_alert_triggers_total",
        "pairbook_delivery_failures_total", "pairbook_sqlite_memory_bytes",
    ]

    func run() async throws {
        let binary = try locateBinary()
        // The script: real trades cycled with contiguous ids, and what each frame carries (decoded by the collector's own decoder).
        let template = try CollectorBench.templateTrades()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-soak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptCopy = try Self.scheduledCopy(of: script, in: directory)
        let count = rate * duration
        let frames = CollectorBench.frames(count: count, rate: rate, template: template)
        var sent: [(symbol: Symbol, id: Int64)] = []
        sent.reserveCapacity(count)
        var decoder = BinanceMessageDecoder()
        for frame in frames {
            guard case .trade(let tick) = try decoder.decode(frame) else { throw SoakError("a generated frame is not a trade: \(frame)") }
            sent.append((tick.symbol, tick.tradeID))
        }
        let loadBefore = Self.loadAverage()

        let settings = SoakRun(
            binary: binary, directory: directory, script: scriptCopy, duration: duration, frameCount: count)
        let observed = try await FakeBinanceServer.withServer(
            steps: [.waitForClients(1)] + frames.map { .frame($0) }, framesPerSecond: Double(rate)
        ) { server in
            try await settings.run(server: server)
        }
        let loadAfter = Self.loadAverage()

        // Checks on the database, after the child has exited.
        let store = try Store(path: settings.database.path, logger: .bench("soak"))
        var stored: [Symbol: Set<Int64>] = [:]
        for symbol in Set(sent.map(\.symbol)) {
            var ids = Set<Int64>()
            try store.forEachTick(of: symbol, in: .all) { ids.insert($0.tradeID) }
            stored[symbol] = ids
        }
        let delivered = observed.deliveredFrames
        var lost: [(symbol: Symbol, id: Int64)] = []
        for index in delivered {
            let trade = sent[index]
            if stored[trade.symbol]?.contains(trade.id) != true { lost.append(trade) }
        }
        let undelivered = count - delivered.count
        let storedTotal = stored.values.reduce(0) { $0 + $1.count }
        let runs = try store.reportRuns(script: scriptCopy.path, limit: 100_000)
        let slots = SlotCheck(runs: runs, from: observed.readyAt, to: observed.stoppedAt)

        // Metrics.
        let metrics = PrometheusText(observed.metrics)
        let missingMetrics = Self.requiredMetrics.filter { !metrics.has($0) }
        var counterMismatch: [String] = []
        for (symbol, ids) in stored.sorted(by: { $0.key < $1.key }) {
            let value = metrics.value("pairbook_ticks_ingested_total", labels: ["symbol": symbol.name])
            if value != Double(ids.count) {
                counterMismatch.append("\(symbol.name): metric \(value.map { String(Int($0)) } ?? "absent") vs \(ids.count) stored")
            }
        }
        let lag = metrics.histogram("pairbook_receive_to_commit_seconds")
        let reportHistogram = metrics.histogram("pairbook_report_duration_seconds")

        // Memory.
        // Flat memory: RSS without SQLite's page caches (which fill up to their bound first) must not grow from the
        // middle to the end; without the gauge, all of RSS must not.
        let rss = observed.rss
        let middle = observed.middle?.rssKiB
        let end = observed.end?.rssKiB
        let hasSQLiteGauge = observed.middle?.sqliteBytes != nil && observed.end?.sqliteBytes != nil
        let growthMB = Double((observed.end?.otherKiB ?? 0) - (observed.middle?.otherKiB ?? observed.end?.otherKiB ?? 0)) / 1024
        let memoryMeasured = observed.middle != nil && observed.end != nil

        // MARK: Table
        var failures: [String] = []
        func check(_ ok: Bool, _ text: String) -> String {
            if !ok { failures.append(text) }
            return ok ? "ok" : "**FAILED**"
        }
        let mb = { (kib: Int?) in kib.map { String(format: "%.1f MB", Double($0) / 1024) } ?? "-" }
        let durations = runs.compactMap { run in run.finishedAt.map { Double(($0 - run.startedAt).milliseconds) / 1000 } }.sorted()
        let elapsed = Double((observed.stoppedAt - observed.readyAt).milliseconds) / 1000
        var rows: [[String]] = []
        rows.append(["trades sent (frames written to the child's socket)", "\(delivered.count) of \(count)",
                     check(undelivered == 0, "\(undelivered) frames not delivered (no client connected)")])
        let replaySeconds = Double((observed.replayFinishedAt - observed.readyAt).milliseconds) / 1000
        rows.append(["replay: frames / wall time from /healthz up to the last frame", String(
            format: "\(count) in %.0f s = %.0f /s", replaySeconds, Double(count) / max(replaySeconds, 1)), ""])
        rows.append(["trades stored in tick_data", "\(storedTotal)", ""])
        rows.append(["trades sent but not stored (lost)", "\(lost.count)" + (lost.isEmpty ? "" : ", first: \(lost.prefix(3).map { "\($0.symbol.name) #\($0.id)" }.joined(separator: ", "))"),
                     check(lost.isEmpty, "\(lost.count) ticks lost")])
        rows.append(["minute slots while running (\(observed.readyAt.iso8601(.seconds)) – \(observed.stoppedAt.iso8601(.seconds)))",
                     "\(slots.expected.count)", check(!slots.expected.isEmpty, "no minute slot in the run")])
        rows.append(["slots with one finished run (ok / alert)", "\(slots.reported) (\(slots.okCount) ok, \(slots.alertCount) alert)",
                     check(slots.missing.isEmpty && slots.duplicated.isEmpty,
                           "slots without a finished run: \(slots.missing.map { $0.iso8601(.seconds) }); with several: \(slots.duplicated.map { $0.iso8601(.seconds) })")])
        rows.append(["report runs not finished ok/alert", slots.bad.isEmpty ? "0" : slots.bad.joined(separator: "; "),
                     check(slots.bad.isEmpty, "report runs failed: \(slots.bad)")])
        rows.append(["report run wall time min / median / max", durations.isEmpty ? "-" : String(
            format: "%.2f / %.2f / %.2f s", durations[0], durations[durations.count / 2], durations[durations.count - 1]), ""])
        rows.append(["start delay after the slot, max", slots.maxDelay.map { "\($0.milliseconds) ms" } ?? "-", ""])
        rows.append(["RSS start (first second after /healthz answered)", mb(rss.samples.first?.kib), ""])
        rows.append(["RSS middle of the run", mb(middle), ""])
        rows.append(["RSS end (before SIGTERM)", mb(end), ""])
        let sqliteMB = { (probe: MemoryProbe?) in probe?.sqliteBytes.map { String(format: "%.1f MB", $0 / 1_048_576) } ?? "-" }
        rows.append(["SQLite heap (pairbook_sqlite_memory_bytes) middle → end", "\(sqliteMB(observed.middle)) → \(sqliteMB(observed.end))", ""])
        let flatLabel = hasSQLiteGauge ? "RSS without SQLite's heap, middle → end" : "RSS middle → end (no SQLite gauge)"
        rows.append([flatLabel, "\(mb(observed.middle?.otherKiB)) → \(mb(observed.end?.otherKiB)) (\(String(format: "%+.1f MB", growthMB)))",
                     check(memoryMeasured && growthMB <= rssGrowthLimit,
                           memoryMeasured ? String(format: "\(flatLabel) grew %.1f MB (limit %.1f MB)", growthMB, rssGrowthLimit) : "RSS not sampled at the middle and end")])
        rows.append(["RSS max sampled / VmHWM", "\(mb(rss.samples.map { $0.kib }.max())) / \(mb(observed.highWaterKiB))", ""])
        rows.append(["RSS each minute", rss.perMinute.map { String(format: "%.0f", Double($0) / 1024) }.joined(separator: ", ") + " MB", ""])
        rows.append(["child CPU over the run", String(format: "%.0f s (%.0f %% of one core)", observed.cpuSeconds,
                                                       observed.cpuSeconds / max(elapsed, 1) * 100), ""])
        rows.append(["receive-to-commit (from /metrics buckets)", lag.map { h in
            "\(Int(h.count)) trades; p50 ≤ \(Self.bound(h.quantile(0.5))), p99 ≤ \(Self.bound(h.quantile(0.99))), mean \(String(format: "%.1f ms", h.sum / max(h.count, 1) * 1000))"
        } ?? "not exported", ""])
        rows.append(["report duration (from /metrics)", reportHistogram.map { h in
            String(format: "%.0f runs, mean %.2f s", h.count, h.sum / max(h.count, 1))
        } ?? "not exported", ""])
        rows.append(["/metrics carries every README metric", missingMetrics.isEmpty ? "all \(Self.requiredMetrics.count)" : "missing: \(missingMetrics.joined(separator: ", "))",
                     check(missingMetrics.isEmpty, "metrics missing: \(missingMetrics)")])
        rows.append(["pairbook_ticks_ingested_total = rows stored, per symbol", counterMismatch.isEmpty ? "equal" : counterMismatch.joined(separator: "; "),
                     check(counterMismatch.isEmpty, "tick counters disagree: \(counterMismatch)")])
        let frameCounter = metrics.sum("pairbook_frames_total")
        rows.append(["pairbook_frames_total ≥ frames sent", String(format: "%.0f", frameCounter),
                     check(frameCounter >= Double(delivered.count), "pairbook_frames_total \(frameCounter) < \(delivered.count) frames sent")])
        let deliveryFailures = metrics.sum("pairbook_delivery_failures_total")
        rows.append(["delivery failures (--copy-to folder, from /metrics)", String(format: "%.0f", deliveryFailures),
                     check(deliveryFailures == 0, "\(deliveryFailures) failed deliveries")])
        rows.append(["alert triggers (from /metrics)", String(format: "%.0f", metrics.sum("pairbook_alert_triggers_total")), ""])
        rows.append(["GET /healthz at the end", "\(observed.healthStatus)", check(observed.healthStatus == 200, "/healthz answered \(observed.healthStatus): \(observed.healthBody)")])
        rows.append(["SIGTERM → exit", "status \(observed.exitStatus) after \(observed.shutdownMilliseconds) ms",
                     check(observed.exitStatus == 0, "pairbook run exited \(observed.exitStatus) after SIGTERM")])

        print("### Soak: `pairbook run`, \(duration) s at \(rate) trades/s (BTCUSDT + ETHUSDT), report every minute")
        print()
        print("Load average (1/5/15 min) before: \(loadBefore); after: \(loadAfter). Child log and data: \(directory.path)")
        print()
        print("| measure | value | check |")
        print("| --- | ---: | --- |")
        for row in rows { print("| " + row.joined(separator: " | ") + " |") }
        print()
        if failures.isEmpty {
            print("All checks passed.")
            if !keep { try? FileManager.default.removeItem(at: directory) }
        } else {
            print("FAILED: " + failures.joined(separator: "; "))
            print("Kept \(directory.path) (child.log, soak.sqlite, output/).")
            throw ExitCode.failure
        }
    }

    // MARK: - Setup

    private func locateBinary() throws -> URL {
        let binary = pairbook.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("pairbook")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw SoakError("pairbook binary not found at \(binary.path) (swift build -c release --product pairbook)")
        }
        return binary
    }

    /// A copy of `script` scheduled every minute over 1 s bars and a 5-minute lookback, named `soak-overview.md`.
    static func scheduledCopy(of script: String, in directory: URL) throws -> URL {
        guard let data = FileManager.default.contents(atPath: script) else {
            throw SoakError("cannot read \(script) (run from the repository root or give --script)")
        }
        var text = String(decoding: data, as: UTF8.self)
        for (pattern, replacement) in [
            (#"(?m)^schedule:.*$"#, #"schedule: "* * * * *""#),
            (#"(?m)^  lookback: .*$"#, "  lookback: 5m"),
            (#"(?m)^  timeframe: .*$"#, "  timeframe: 1s"),
        ] {
            guard text.range(of: pattern, options: .regularExpression) != nil else {
                throw SoakError("\(script): no line matching \(pattern) to replace")
            }
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        let copy = directory.appendingPathComponent("soak-overview.md")
        try Data(text.utf8).write(to: copy)
        return copy
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func bound(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        return seconds.isInfinite ? "+Inf" : String(format: "%g ms", seconds * 1000)
    }
}

struct SoakError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - The child run

/// What the bench saw of one `pairbook run` child.
struct SoakObservation: Sendable {
    var readyAt: Timestamp
    var replayFinishedAt: Timestamp
    var stoppedAt: Timestamp
    var deliveredFrames: [Int]
    var rss: RSSSeries
    /// RSS and SQLite's heap (`pairbook_sqlite_memory_bytes`) halfway through the replay and at its end.
    var middle: MemoryProbe?
    var end: MemoryProbe?
    var highWaterKiB: Int?
    var cpuSeconds: Double
    var metrics: String
    var healthStatus: Int
    var healthBody: String
    var exitStatus: Int32
    var shutdownMilliseconds: Int
}

/// The child's RSS and the heap SQLite holds in it (page caches: they fill up to `cache_size`, then stay flat).
struct MemoryProbe: Sendable {
    var rssKiB: Int
    var sqliteBytes: Double?

    /// RSS without SQLite's heap, KiB (all of RSS when the gauge is absent).
    var otherKiB: Int { rssKiB - Int((sqliteBytes ?? 0) / 1024) }

    init(rssKiB: Int, metrics: String) {
        self.rssKiB = rssKiB
        sqliteBytes = PrometheusText(metrics).value("pairbook_sqlite_memory_bytes", labels: [:])
    }
}

/// Starts `pairbook run` against the server, watches it for the replay, stops it with SIGTERM.
struct SoakRun: Sendable {
    let binary: URL
    let directory: URL
    let script: URL
    let duration: Int
    let frameCount: Int

    var database: URL { directory.appendingPathComponent("soak.sqlite") }

    func run(server: FakeBinanceServer) async throws -> SoakObservation {
        let port = try LoopbackHTTP.freePort()
        let log = directory.appendingPathComponent("child.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "run", "--db", database.path, "--symbols", "BTCUSDT,ETHUSDT", "--endpoint", server.baseURL,
            "--report", script.path, "--out", directory.appendingPathComponent("output").path,
            "--copy-to", directory.appendingPathComponent("shared-drive").path,
            "--listen", "127.0.0.1:\(port)", "--log-level", "notice",
        ]
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let pid = process.processIdentifier
        var stopped = false
        defer {
            if !stopped, process.isRunning { kill(pid, SIGKILL) }  // a failed bench leaves no child behind
        }

        // Ready: /healthz answers (the service group runs, the scheduler with it).
        let startDeadline = ContinuousClock.now + .seconds(120)
        while (try? LoopbackHTTP.get(port: port, path: "/healthz")) == nil {
            guard process.isRunning else { throw SoakError("pairbook run exited \(process.terminationStatus) at start; see \(log.path)") }
            guard ContinuousClock.now < startDeadline else { throw SoakError("pairbook run did not answer /healthz in 120 s") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let readyAt = Self.now()

        // Replay: sample RSS every second until the server has played the whole script.
        var rss = RSSSeries(start: readyAt)
        var middle: MemoryProbe?
        let replayDeadline = ContinuousClock.now + .seconds(Int64(duration) * 3 + 120)
        while !server.isFinished {
            guard process.isRunning else { throw SoakError("pairbook run exited \(process.terminationStatus) during the replay; see \(log.path)") }
            guard ContinuousClock.now < replayDeadline else { throw SoakError("the replay did not finish in \(duration * 3 + 120) s") }
            if let kib = ProcStatus.read(pid: pid, field: "VmRSS") {
                let now = Self.now()
                rss.add(now, kib: kib)
                if middle == nil, (now - readyAt).milliseconds >= Int64(duration) * 500 {
                    middle = MemoryProbe(rssKiB: kib, metrics: (try? LoopbackHTTP.get(port: port, path: "/metrics").body) ?? "")
                }
            }
            try await Task.sleep(for: .seconds(1))
        }
        let replayFinishedAt = Self.now()
        // Let the last batch commit: wait until the tick counters stop moving (or 30 s).
        var metrics = ""
        var previous = -1.0
        let settleDeadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < settleDeadline {
            try await Task.sleep(for: .seconds(2))
            metrics = (try? LoopbackHTTP.get(port: port, path: "/metrics").body) ?? ""
            let total = PrometheusText(metrics).sum("pairbook_ticks_ingested_total")
            if total >= Double(frameCount) || total == previous { break }
            previous = total
        }
        var end: MemoryProbe?
        if let kib = ProcStatus.read(pid: pid, field: "VmRSS") {
            rss.add(Self.now(), kib: kib)
            end = MemoryProbe(rssKiB: kib, metrics: metrics)
        }
        let health = (try? LoopbackHTTP.get(port: port, path: "/healthz")) ?? (status: 0, body: "no answer")
        let highWater = ProcStatus.read(pid: pid, field: "VmHWM")
        let cpu = ProcStatus.cpuSeconds(pid: pid) ?? 0

        // SIGTERM, then exit 0 within the configured grace (60 s) plus a margin.
        let stoppedAt = Self.now()
        let t0 = ContinuousClock.now
        kill(pid, SIGTERM)
        while process.isRunning, t0.duration(to: .now) < .seconds(120) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let shutdown = t0.duration(to: .now)
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        stopped = true
        try? logHandle.close()
        let exitStatus = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus

        return SoakObservation(
            readyAt: readyAt, replayFinishedAt: replayFinishedAt, stoppedAt: stoppedAt, deliveredFrames: Array(server.deliveredFrameIndices).sorted(), rss: rss, middle: middle, end: end,
            highWaterKiB: highWater, cpuSeconds: cpu, metrics: metrics, healthStatus: health.status, healthBody: health.body,
            exitStatus: exitStatus, shutdownMilliseconds: Int(shutdown.components.seconds * 1000 + shutdown.components.attoseconds / 1_000_000_000_000_000))
    }

    static func now() -> Timestamp { Timestamp.now() }
}

/// RSS samples of the child, in KiB, with their wall time.
struct RSSSeries: Sendable {
    let start: Timestamp
    private(set) var samples: [(at: Timestamp, kib: Int)] = []

    init(start: Timestamp) { self.start = start }

    mutating func add(_ at: Timestamp, kib: Int) { samples.append((at, kib)) }

    /// One sample per elapsed minute (the first sample at or after each whole minute since `start`), and the last.
    var perMinute: [Int] {
        var result: [Int] = []
        var nextMinute = start.milliseconds
        for sample in samples where sample.at.milliseconds >= nextMinute {
            result.append(sample.kib)
            nextMinute += 60_000
        }
        if let last = samples.last, samples.count > 1 { result.append(last.kib) }
        return result
    }
}

/// Which minute slots of the run have exactly one finished report run.
struct SlotCheck {
    var expected: [Timestamp] = []
    var missing: [Timestamp] = []
    var duplicated: [Timestamp] = []
    var reported = 0
    var okCount = 0
    var alertCount = 0
    var bad: [String] = []
    var maxDelay: TimeSpan?

    /// Slots are the whole minutes in (`from`, `to` − 5 s]; a run belongs to the minute in which it started.
    init(runs: [ReportRunRecord], from: Timestamp, to: Timestamp) {
        let minute: Int64 = 60_000
        var slot = (from.milliseconds / minute + 1) * minute
        while slot <= to.milliseconds - 5_000 {
            expected.append(Timestamp(milliseconds: slot))
            slot += minute
        }
        var finished: [Int64: Int] = [:]
        for run in runs {
            let runSlot = run.startedAt.milliseconds / minute * minute
            switch run.status {
            case .ok, .alert:
                finished[runSlot, default: 0] += 1
                if run.status == .ok { okCount += 1 } else { alertCount += 1 }
                let delay = TimeSpan(milliseconds: run.startedAt.milliseconds - runSlot)
                maxDelay = max(maxDelay ?? delay, delay)
            default:
                bad.append("\(run.startedAt.iso8601(.seconds)) \(run.status.rawValue): \(run.error ?? "")")
            }
        }
        for slot in expected {
            switch finished[slot.milliseconds, default: 0] {
            case 0: missing.append(slot)
            case 1: reported += 1
            default: duplicated.append(slot)
            }
        }
        // Runs in slots outside the expected window (the margins) are fine; several in one slot are not.
        for (slot, n) in finished where n > 1 && !expected.contains(Timestamp(milliseconds: slot)) {
            duplicated.append(Timestamp(milliseconds: slot))
        }
    }
}

// MARK: - /proc, HTTP and Prometheus text

enum ProcStatus {
    /// A `kB` field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in KiB.
    static func read(pid: Int32, field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// User + system CPU seconds of a live process (`/proc/<pid>/stat` fields 14 and 15).
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// The samples of a Prometheus text exposition (`name{labels} value`).
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Histogram {
        var buckets: [(le: Double, count: Double)]
        var sum: Double
        var count: Double

        /// The upper bound of the bucket holding the `fraction` quantile.
        func quantile(_ fraction: Double) -> Double? {
            guard count > 0 else { return nil }
            return buckets.first { $0.count >= fraction * count }?.le
        }
    }

    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var name = String(series)
            var labels: [String: String] = [:]
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<open])
                for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// Whether a metric family (or its histogram series) is present.
    func has(_ name: String) -> Bool {
        samples.contains { $0.name == name || $0.name == name + "_bucket" || $0.name == name + "_count" }
    }

    /// The value of the series with exactly these labels.
    func value(_ name: String, labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum over all series of a metric.
    func sum(_ name: String) -> Double {
        samples.filter { $0.name == name }.reduce(0) { $0 + $1.value }
    }

    /// A histogram summed over its label sets (other than `le`); nil if absent.
    func histogram(_ name: String) -> Histogram? {
        var buckets: [Double: Double] = [:]
        for sample in samples where sample.name == name + "_bucket" {
            let le = sample.labels["le"].flatMap { $0 == "+Inf" ? Double.infinity : Double($0) } ?? .infinity
            buckets[le, default: 0] += sample.value
        }
        guard !buckets.isEmpty else { return nil }
        return Histogram(buckets: buckets.sorted { $0.key < $1.key }.map { (le: $0.key, count: $0.value) },
                         sum: sum(name + "_sum"), count: sum(name + "_count"))
    }
}
