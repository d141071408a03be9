import ArgumentParser
import Foundation
import DataMigration
import Market
import PostgresStorage
import Storage

/// `pairbook status`: what the database holds, per symbol, and how fresh it is.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show per symbol: ticks, first and last trade, bars per timeframe, freshness, stream gaps; and the database size.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.makeLogger()
        switch try StoreLocation(parsing: global.databasePath) {
        case .sqlite:
            let store = try global.openSQLite(for: "status", logger: logger)
            Console.line(try Self.render(store, now: Self.currentTime()))
        case .postgres(let url):
            let (summaries, size) = try await PostgresStore.withStore(url, logger: logger) { store in
                (try await store.summaries(), try await store.databaseSize())
            }
            Console.line(Self.render(database: url.description, size: Self.bytes(size), summaries: summaries, now: Self.currentTime()))
        }
    }

    /// The status text of the SQLite `store` as of `now` (shared with `pairbook demo`).
    static func render(_ store: Store, now: Timestamp) throws -> String {
        render(database: store.path ?? ":memory:", size: store.fileSize().map(Self.bytes) ?? "in memory",
               summaries: try store.summaries(), now: now)
    }

    /// The status text: the database, its size, and a row per symbol.
    static func render(database: String, size: String, summaries: [SymbolSummary], now: Timestamp) -> String {
        var lines: [String] = []
        lines.append("database: \(database) (\(size))")
        guard !summaries.isEmpty else {
            lines.append("no data yet: run `pairbook import FILE…` or `pairbook demo`")
            return lines.joined(separator: "\n")
        }
        let rows = summaries.map { s -> [String] in
            let bars = s.barCounts.map { "\($0.timeframe): \(grouped($0.count))" }.joined(separator: ", ")
            let freshness = s.lastData.map { "\(age(now - $0)) ago" } ?? "-"
            let gaps = s.gapCount == 0 ? "0" : "\(s.gapCount) (\(s.openGapCount) open)"
            return [s.symbol.name, grouped(s.tickCount), s.firstTrade?.iso8601(.seconds) ?? "-",
                    s.lastTrade?.iso8601(.seconds) ?? "-", bars.isEmpty ? "-" : bars, freshness, gaps]
        }
        lines.append("")
        lines.append(Console.table(
            header: ["symbol", "ticks", "first trade", "last trade", "bars", "last data", "gaps"],
            rows: rows, rightAligned: [1]))
        return lines.joined(separator: "\n")
    }

    /// `1,234,567`
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `12 s`, `5 min`, `3 h`, `2 d` (negative spans — data in the future — as `0 s`).
    static func age(_ span: TimeSpan) -> String {
        let s = max(0, span.milliseconds / 1000)
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }

    /// The current wall-clock time, UTC ms.
    static func currentTime() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// `12.3 MB`
    static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}

