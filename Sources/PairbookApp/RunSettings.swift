import Alerts
import Collector
import Dashboard
import Foundation
import Market
import NIOSSL
import RedisClient
import ReportEngine

/// What `pairbook run` was given on its command line (and from its environment), before the configuration file
/// fills the rest: nil means "not given".
public struct RunFlags: Sendable {
    /// `--db`, else nil.
    public var database: String?
    /// The database when neither `--db` nor the file's `database:` says (`PAIRBOOK_DB`, else pairbook.sqlite).
    public var defaultDatabase = "pairbook.sqlite"
    public var symbols: String?
    public var stream: StreamKind?
    public var endpoint: String?
    public var restEndpoint: String?
    public var reports: [String] = []
    public var listen: String?
    public var out: String?
    public var copyTo: String?
    public var emails: [String] = []
    public var keepReportsFor: String?
    /// `--keep-ticks-for`.
    public var keepTicksFor: String?
    public var noCatchUp = false
    /// `--share-symbols`: record symbols that another collector holds, alongside it.
    public var shareSymbols = false
    /// `--token`, else `PAIRBOOK_TOKEN`.
    public var token: String?
    public var insecure = false
    public var caFile: String?
    /// `BINANCE_API_KEY`.
    public var apiKey: String?
    /// `--redis`.
    public var redis: String?
    /// `--no-collect`: reports, dashboard and live alerts only.
    public var noCollect = false

    public init() {}
}

/// The effective settings: the file, overridden by flags, validated.
public struct RunSettings: Sendable {
    public var database: String
    /// Whether this process records trades; false (`--no-collect`, `collect: false`): a report worker over a database
    /// that collectors elsewhere fill — reports, dashboard and live alerts only.
    public var collect: Bool
    /// The symbols recorded; empty when not collecting.
    public var symbols: [Symbol]
    public var stream: StreamKind
    public var endpoint: String?
    public var timeframes: [Timeframe]
    public var reports: [ScheduledReport]
    public var outputRoot: String
    public var listenHost: String
    public var listenPort: Int
    public var catchUp: Bool
    public var maximumDataAge: TimeSpan
    public var shutdownGrace: Int64
    public var restEndpoint: String?
    public var deliveries: ReportDeliveries
    /// Run folders older than this are removed after each scheduled run; nil keeps them all.
    public var keepReportsFor: TimeSpan?
    /// Trades older than this are removed every hour, bars kept; nil keeps them all.
    public var keepTicksFor: TimeSpan?
    /// The dashboard served on the listen address; nil when it would listen beyond loopback without a token.
    public var dashboard: DashboardConfiguration?
    /// TLS for the exchange stream (`--insecure`, `--ca-file`).
    public var streamTLS: TLSConfiguration
    /// `BINANCE_API_KEY`, for backfilling gaps of `trade` streams from REST.
    public var apiKey: String?
    /// Record symbols whose lease another collector holds, alongside it, instead of refusing to start.
    public var shareSymbols: Bool
    /// The Redis live buffer's server (`--redis`, `redis:`); nil: no buffer.
    public var redis: RedisConfiguration?

    public init(flags: RunFlags, file: RunConfiguration) throws {
        database = flags.database ?? file.database ?? flags.defaultDatabase
        collect = !flags.noCollect && (file.collect ?? true)
        // A worker ignores the symbols of a configuration file it shares with the collectors.
        let symbolText = flags.symbols ?? file.symbols?.joined(separator: ",")
        if collect {
            guard let symbolText else {
                throw RunError("no symbols: give --symbols or `symbols:` in the config (or --no-collect for reports and the dashboard only)")
            }
            do { symbols = try Symbol.parseList(symbolText) } catch { throw RunError("symbols: \(error)") }
        } else {
            if flags.symbols != nil { throw RunError("--symbols records trades, --no-collect records none: give one of them") }
            symbols = []
        }
        stream = flags.stream ?? file.stream ?? .trade
        endpoint = flags.endpoint ?? file.endpoint
        if let endpoint, !(endpoint.hasPrefix("ws://") || endpoint.hasPrefix("wss://")) {
            throw RunError("endpoint must start with ws:// or wss:// (got \(endpoint))")
        }
        restEndpoint = flags.restEndpoint ?? file.restEndpoint
        if let restEndpoint, !(restEndpoint.hasPrefix("http://") || restEndpoint.hasPrefix("https://")) {
            throw RunError("rest_endpoint must start with http:// or https:// (got \(restEndpoint))")
        }
        do { timeframes = try Timeframe.parseList((file.timeframes ?? ["1s", "1m", "5m"]).joined(separator: ",")) } catch {
            throw RunError("timeframes: \(error)")
        }
        outputRoot = flags.out ?? file.output ?? "output"
        catchUp = !flags.noCatchUp && (file.catchUp ?? true)
        do { maximumDataAge = try TimeSpan(parsing: file.maxDataAge ?? "2m") } catch { throw RunError("max_data_age: \(error)") }
        shutdownGrace = Int64(file.shutdownGraceSeconds ?? 60)
        keepReportsFor = try Self.retention("keep_reports_for", flags.keepReportsFor ?? file.keepReportsFor ?? "30d")
        keepTicksFor = try Self.retention("keep_ticks_for", flags.keepTicksFor ?? file.keepTicksFor ?? "forever")

        // Reports: each must parse and have a valid schedule.
        let paths = flags.reports.isEmpty ? (file.reports ?? []) : flags.reports
        reports = try paths.map { path in
            let script: ReportScript
            do { script = try ReportScript(contentsOf: path) } catch { throw RunError("\(error)") }
            guard let cron = script.schedule else {
                throw RunError("\(path): no `schedule:` in the front matter; `pairbook run` needs one (e.g. \"5 * * * *\", @daily)")
            }
            return ScheduledReport(path: path, name: script.name, schedule: cron, alertRules: script.alerts.map(\.name), script: script)
        }

        // HTTP address.
        let listen = flags.listen ?? file.listen ?? "127.0.0.1:9464"
        (listenHost, listenPort) = try Self.parseListen(listen)

        // Delivery.
        deliveries = try ReportDeliveries(copyTo: flags.copyTo, emails: flags.emails, configuration: file.delivery)

        // Dashboard: the scheduled scripts' folder (else Reports/) for its Export tab and live pages.
        let token = flags.token ?? file.token
        let scriptsFolder = paths.first.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
            ?? (FileManager.default.fileExists(atPath: "Reports") ? "Reports" : nil)
        dashboard = DashboardConfiguration.isLoopback(listenHost) || token != nil
            ? DashboardConfiguration(reportsDirectory: scriptsFolder, outputDirectory: outputRoot,
                                     templatesDirectory: TemplateSet.locate(), token: token)
            : nil
        streamTLS = try BinanceStreamConfiguration.tlsConfiguration(insecure: flags.insecure, caFile: flags.caFile)
        apiKey = flags.apiKey
        shareSymbols = flags.shareSymbols || (file.shareSymbols ?? false)
        do { redis = try (flags.redis ?? file.redis).map { try RedisConfiguration(url: $0) } } catch { throw RunError("redis: \(error)") }
        if !collect {
            if flags.redis != nil { throw RunError("--redis streams the trades this process records, and --no-collect records none") }
            redis = nil
        }
    }

    /// A retention span: `30d`, `12w`…, or `forever` (nil).
    static func retention(_ key: String, _ text: String) throws -> TimeSpan? {
        if text == "forever" { return nil }
        guard let span = try? TimeSpan(parsing: text), span.milliseconds > 0 else {
            throw RunError("\(key): expected a span such as 30d or 12w, or `forever` (got \(text))")
        }
        return span
    }

    /// `host:port`, `:port`, `port` or `[v6]:port`.
    public static func parseListen(_ text: String) throws -> (String, Int) {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].drop { $0 == ":" })
        } else if let colon = text.lastIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw RunError("listen: expected HOST:PORT (e.g. 127.0.0.1:9464), got \(text)")
        }
        return (host, port)
    }
}
