import Foundation
import InMemoryLogging
import Logging
import Market
import PairbookApp
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

struct TickRetentionTests {
    @Test("every interval, trades older than the retention span are removed and the pass is logged", .timeLimit(.minutes(1)))
    func passes() async throws {
        // Given trades of the last two days on a wall clock at day 3, and a one-day retention checked hourly
        let day: Int64 = 86_400_000
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)
        let store = try Store.inMemory()
        try await store.write { tx in
            _ = try tx.insert(contentsOf: (0..<48).map { hour in Tick.sample(id: Int64(hour), at: t0 + .hours(Int64(hour))) })
        }
        let clock = ManualClock()
        let (logger, log) = Logger.recording()
        let retention = TickRetention(store: store, keep: .days(1), clock: clock, interval: .seconds(3600), batch: 5,
                                      now: { t0 + TimeSpan(milliseconds: 2 * day) }, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await retention.run() }
            // When the first interval passes
            try await FakeBinanceServer.wait(timeout: .seconds(20)) { clock.sleeperCount == 1 }
            #expect(try store.tickCount() == 48, "nothing before the first interval")
            clock.advance(by: .seconds(3600))
            try await FakeBinanceServer.wait(timeout: .seconds(20)) { ((try? store.tickCount()) ?? 0) == 24 && clock.sleeperCount == 1 }
            group.cancelAll()
        }

        // Then the first day's 24 trades went (in batches of 5), the second day's stay, and one line says so
        #expect(try store.tickCount(of: "BTCUSDT", in: TimeRange(start: t0 + .hours(24), end: t0 + .hours(48))) == 24)
        let lines = log.entries.filter { $0.message.description == "removed old trades (bars kept)" }
        #expect(lines.count == 1)
        #expect(lines.first?.metadata["retention.removed"]?.description == "24")
    }
}

@Suite("Trade retention on PostgreSQL", .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
struct PostgresTickRetentionTests {
    @Test("a pass drops the days wholly older than the retention span, and says how many trades went")
    func pass() async throws {
        let t0 = Timestamp(milliseconds: 1_721_347_200_000)  // 2024-07-19T00:00:00Z
        try await PostgresTestServer.withServer { server in
            try await PostgresStore.withStore(try PostgresURL(try await server.newDatabase()), logger: .quiet) { store in
                // A trade an hour over two days.
                let ticks = (0..<48).map { hour in Tick.sample(id: Int64(hour + 1), at: t0 + .hours(Int64(hour))) }
                _ = try await store.record(ticks, timeframes: [.oneMinute])
                let (logger, log) = Logger.recording()
                // Kept: one day before 2024-07-21T06:00Z, so the cutoff is 2024-07-20T06:00Z and the 19th goes whole.
                let retention = TickRetention(postgres: store, keep: .days(1), clock: ManualClock(),
                                              now: { t0 + .hours(54) }, logger: logger)
                #expect(await retention.prune() == 24)
                #expect(try await store.tickCount() == 24)
                #expect(try await store.bars(for: "BTCUSDT", timeframe: .oneMinute, in: .all).count == 48)
                #expect(log.entries.first { $0.message.description == "removed old trades (bars kept)" }?
                    .metadata["retention.removed"]?.description == "24")
            }
        }
    }
}
