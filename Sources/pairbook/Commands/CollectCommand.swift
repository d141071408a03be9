import ArgumentParser
import Collector
import DataMigration
import Foundation
import Logging
import Market
import PairbookApp
import RedisClient
import ServiceLifecycle
import Storage
import UnixSignals

extension StreamKind: ExpressibleByArgument {}

/// `pairbook collect`: records live trades of the chosen symbols and keeps their bars current, until SIGINT/SIGTERM.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Record live Binance USD-M futures trades into the database and keep their bars current.",
        discussion: """
            Connects to Binance's combined streams (trade: wss://fstream.binance.com/public, aggTrade: …/market),
            reconnects with backoff, reconnects when a symbol goes silent (--watchdog), rotates connections before
            Binance's 24 h limit, and records holes in the trade ids as gaps (see `pairbook status`), also the hole
            since the last trade stored when it starts again. Gaps of aggTrade streams are backfilled from
            --rest-endpoint; gaps of trade streams from /fapi/v1/historicalTrades when the environment variable
            BINANCE_API_KEY holds an API key (never logged). Only MARKET trades are recorded from trade streams.
            With --redis, the last 1,000 trades of each symbol and the bar updates also go to Redis
            streams (pairbook:trades:<SYMBOL>, pairbook:bars) for dashboards on other machines; while
            Redis is away they are kept in memory and written when it is back; recording never waits.
            A status line is printed every 10 s. Stop with Ctrl-C or SIGTERM: everything received is committed
            before the process exits (status 0). Each symbol is leased in the database while it is recorded: a
            second collector of a symbol is refused (--share-symbols records alongside it), and the lease of a
            collector that died expires after 30 s. --db takes a file path, sqlite:PATH, or
            postgres://user@host[:port]/database[?sslmode=require] (password from the URL or PGPASSWORD):
            collectors on several machines, each with its own symbols, can record into one PostgreSQL database.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Symbols to record, comma-separated (e.g. BTCUSDT,ETHUSDT).", valueName: "list"))
    var symbols: String

    @Option(help: ArgumentHelp("Stream to record: trade or aggTrade.", valueName: "kind"))
    var stream: StreamKind = .trade

    @Option(help: ArgumentHelp(
        "WebSocket base URL, optionally with a path (default wss://fstream.binance.com plus /public or /market).",
        valueName: "url"))
    var endpoint: String?

    @Option(help: ArgumentHelp("Bar timeframes to keep, comma-separated.", valueName: "list"))
    var timeframes: String = "1s,1m,5m"

    @Flag(name: .customLong("share-symbols"), help: "Record symbols that another collector holds (its lease) alongside it instead of refusing to start.")
    var shareSymbols = false

    @Flag(help: "Do not verify the server's TLS certificate (test servers only).")
    var insecure = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of the CA to trust instead of the system roots.", valueName: "path"))
    var caFile: String?

    @Option(help: ArgumentHelp("Reconnect when a symbol sends nothing for this long on an open connection.", valueName: "span"))
    var watchdog: TimeSpan = .seconds(30)

    @Option(name: .customLong("rest-endpoint"), help: ArgumentHelp(
        "REST base URL to backfill gaps from: /fapi/v1/aggTrades for aggTrade streams; /fapi/v1/historicalTrades for trade streams (needs BINANCE_API_KEY; default https://fapi.binance.com).",
        valueName: "url"))
    var restEndpoint: String?

    @Option(help: ArgumentHelp(
        "Also stream the last 1,000 trades per symbol and bar updates to Redis (pairbook:trades:<SYMBOL>, pairbook:bars).",
        valueName: "redis://host:port[/db]"))
    var redis: String?

    @Option(name: .customLong("status-interval"), help: ArgumentHelp("How often to print the status line.", valueName: "span"))
    var statusInterval: TimeSpan = .seconds(10)

    func validate() throws {
        _ = try parsedSymbols()
        _ = try parsedTimeframes()
        _ = try parsedRedis()
        if let endpoint, !(endpoint.hasPrefix("ws://") || endpoint.hasPrefix("wss://")) {
            throw ValidationError("--endpoint must start with ws:// or wss:// (got \(endpoint))")
        }
        if let restEndpoint {
            guard restEndpoint.hasPrefix("http://") || restEndpoint.hasPrefix("https://") else {
                throw ValidationError("--rest-endpoint must start with http:// or https:// (got \(restEndpoint))")
            }
        }
    }

    func run() async throws {
        let logger = global.makeLogger(label: "pairbook.collect")
        let symbols = try parsedSymbols()
        let configuration = BinanceStreamConfiguration(
            symbols: symbols, kind: stream, endpoint: endpoint,
            watchdogTimeout: .milliseconds(watchdog.milliseconds),
            tls: try BinanceStreamConfiguration.tlsConfiguration(insecure: insecure, caFile: caFile))
        let final = try await StoreLocation(parsing: global.databasePath).withLiveStore(logger: logger) { store in
            let collector = try await LiveCollector(
                stream: configuration, timeframes: try parsedTimeframes(), restEndpoint: restEndpoint,
                apiKey: ProcessInfo.processInfo.environment[HistoricalTradesClient.apiKeyEnvironmentVariable], store: store,
                statusInterval: .milliseconds(statusInterval.milliseconds),
                statusLine: Console.liveLine, logger: logger, shareSymbols: shareSymbols, redis: try parsedRedis())
            var groupConfiguration = ServiceGroupConfiguration(
                services: collector.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(1800)
            Console.line("collecting \(symbols.map(\.name).joined(separator: ",")) (\(stream.rawValue)) into \(store.location); Ctrl-C to stop")
            try await ServiceGroup(configuration: groupConfiguration).run()
            return collector.stats.snapshot()
        }
        Console.line("stopped: \(final.committedTicks) trades committed, \(final.gaps) gap(s), \(final.reconnects) reconnect(s), \(final.malformed) malformed frame(s)")
    }

    private func parsedSymbols() throws -> [Symbol] {
        do { return try Symbol.parseList(symbols) } catch { throw ValidationError("--symbols: \(error)") }
    }

    private func parsedRedis() throws -> RedisConfiguration? {
        do { return try redis.map { try RedisConfiguration(url: $0) } } catch { throw ValidationError("--redis: \(error)") }
    }

    private func parsedTimeframes() throws -> [Timeframe] {
        do { return try Timeframe.parseList(timeframes) } catch { throw ValidationError("--timeframes: \(error)") }
    }
}
