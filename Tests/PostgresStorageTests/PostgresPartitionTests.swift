import Foundation
import Logging
import Market
import PairbookTestSupport
import PostgresNIO
@testable import PostgresStorage
import Testing

/// Trades on PostgreSQL in one partition a UTC day: made as trades arrive (and a day ahead), dropped whole by
/// retention, and filled from the single table of a database written before partitions.
@Suite("PostgreSQL trade partitions", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class PostgresPartitionTests {
    let server: PostgresTestServer

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    static let day: Int64 = 86_400_000
    static let first = Timestamp(milliseconds: 1_704_067_200_000)  // 2024-01-01T00:00:00Z

    /// `perDay` trades of BTCUSDT on each of `days` days from 2024-01-01, ids ascending.
    static func trades(days: Int, perDay: Int) -> [Tick] {
        var ticks: [Tick] = []
        for day in 0..<days {
            for n in 0..<perDay {
                let id = Int64(day * perDay + n + 1)
                let time = first + TimeSpan(milliseconds: Int64(day) * Self.day + Int64(n) * 61_000)
                ticks.append(Tick(symbol: "BTCUSDT", tradeID: id, timestamp: time, price: 42_000 + Double(n), quantity: 0.5,
                                  isBuyerMaker: n % 2 == 0))
            }
        }
        return ticks
    }

    @Test("trades land in one partition a day and the next day's is made ahead; retention drops whole days, bars stay")
    func partitionsAndRetention() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        let ticks = Self.trades(days: 3, perDay: 40)
        #expect(try await store.record(ticks, timeframes: [.oneMinute]).inserted == 120)
        #expect(try await store.tickPartitions().map(\.name)
            == ["tick_rows_2024_01_01", "tick_rows_2024_01_02", "tick_rows_2024_01_03", "tick_rows_2024_01_04"])
        let bars = try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).count

        // Noon of the second day: only the first day lies wholly before it.
        #expect(try await store.dropTickPartitions(before: Self.first + TimeSpan(milliseconds: Self.day * 3 / 2)) == 40)
        #expect(try await store.tickCount() == 80)
        #expect(try await store.tickPartitions().first?.name == "tick_rows_2024_01_02")
        #expect(try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).count == bars)
        #expect(try await store.dropTickPartitions(before: Self.first + TimeSpan(milliseconds: Self.day * 3 / 2)) == 0)

        // The dropped day recorded again gets its partition again.
        #expect(try await store.record(Array(ticks.prefix(40)), timeframes: [.oneMinute]).inserted == 40)
        #expect(try await store.tickCount() == 120)
        await store.close()
    }

    @Test("a database written before partitions keeps every trade: the upgrade moves them into day partitions")
    func upgrade() async throws {
        let url = try PostgresURL(try server.createDatabase())
        // The schema as it was before partitions (migrations v1 to v3), with trades in the single table.
        let connection = try await PostgresStore.open(url, id: 1, logger: .quiet)
        try await connection.query("CREATE TABLE pairbook_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                                   logger: .quiet)
        let before = PostgresStore.migrations.prefix { $0.name != "v4-tick-partitions" }
        #expect(before.count == 3)
        for migration in before {
            for statement in migration.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: .quiet) }
            try await connection.query("INSERT INTO pairbook_migrations (name) VALUES (\(migration.name))", logger: .quiet)
        }
        try await connection.query("INSERT INTO symbols (name) VALUES ('BTCUSDT')", logger: .quiet)
        let ticks = Self.trades(days: 2, perDay: 25)
        for tick in ticks {
            try await connection.query("""
                INSERT INTO tick_rows VALUES (1, \(tick.timestamp.milliseconds), \(tick.tradeID), \(String(tick.price))::numeric,
                    \(String(tick.quantity))::numeric, \(tick.isBuyerMaker))
                """, logger: .quiet)
        }
        try await connection.close()

        let store = try await PostgresStore.connect(url, logger: .quiet)
        #expect(try await store.tickPartitions().map(\.name) == ["tick_rows_2024_01_01", "tick_rows_2024_01_02"])
        #expect(try await store.trades(of: "BTCUSDT", after: nil, limit: 100) == ticks)
        // Recording goes on: stored trades are skipped, new ones stored.
        let more = Self.trades(days: 3, perDay: 25)
        #expect(try await store.record(more, timeframes: [.oneMinute]).inserted == 25)
        await store.close()
    }
}
