import Foundation
import GRDB
import Market
import PairbookTestSupport
import Testing

@testable import Storage

@Suite struct StoreTests {
    let btc: Symbol = "BTCUSDT"

    func tick(_ id: Int64, _ ms: Int64, _ price: Double = 100) -> Tick {
        .sample(btc, id: id, at: Timestamp(milliseconds: ms), price: price, quantity: 0.5, buyerMaker: id % 2 == 0)
    }

    @Test("a trade is stored once; its duplicate is reported, not stored", arguments: StoreKind.allCases)
    func tickDeduplication(_ kind: StoreKind) throws {
        let store = try kind.make()
        let first = try store.write { tx in try tx.insert(tick(1, 1000)) }
        let again = try store.write { tx in try tx.insert(tick(1, 1000)) }
        #expect(first)
        #expect(!again)
        #expect(try store.tickCount(of: btc) == 1)
    }

    @Test("a trade id stored once per symbol: the same id at another time is a duplicate, in single and bulk inserts",
          arguments: StoreKind.allCases)
    func tradeIdentity(_ kind: StoreKind) throws {
        let store = try kind.make()
        // Given trades 1…5 stored
        try store.write { tx in _ = try tx.insert(contentsOf: (1...5).map { tick($0, 1_000 * $0) }) }
        // When a corrected dump brings id 3 at another time, later ids, and a repeat of id 5 at a later time
        let flags = try store.write { tx in
            try tx.insert(contentsOf: [tick(3, 3_500), tick(6, 6_000), tick(5, 7_000), tick(7, 7_000)])
        }
        let single = try store.write { tx in try tx.insert(tick(4, 9_000)) }
        // Then only the new ids are stored, each once, at their first time
        #expect(flags == [false, true, false, true])
        #expect(!single)
        #expect(try store.tickCount() == 7)
        var stored: [(Int64, Int64)] = []
        try store.forEachTick(of: btc, in: .all) { stored.append(($0.tradeID, $0.timestamp.milliseconds)) }
        #expect(stored.map(\.0) == [1, 2, 3, 4, 5, 6, 7])
        #expect(stored.first { $0.0 == 3 }?.1 == 3_000)
        #expect(stored.first { $0.0 == 5 }?.1 == 5_000)
    }

    @Test("a database from before the unique trade id keeps the earliest of each twin when it is migrated")
    func twinMigration() throws {
        let queue = try DatabaseQueue()
        try Store.migrator.migrate(queue, upTo: "v3-alert-event-source")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO symbols (name) VALUES ('BTCUSDT')")
            for (ts, id) in [(1_000, 1), (2_000, 2), (2_500, 2), (3_000, 3), (9_000, 2)] {
                try db.execute(sql: "INSERT INTO tick_rows (symbol_id, ts, trade_id, price, quantity, is_buyer_maker) VALUES (1, ?, ?, 1, 1, 0)",
                               arguments: [ts, id])
            }
        }
        let store = try Store(writer: queue, logger: .quiet)
        var stored: [(Int64, Int64)] = []
        try store.forEachTick(of: btc, in: .all) { stored.append(($0.tradeID, $0.timestamp.milliseconds)) }
        #expect(stored.map(\.0) == [1, 2, 3])
        #expect(stored.map(\.1) == [1_000, 2_000, 3_000])
        #expect(try store.write { tx in try tx.insert(tick(2, 4_000)) } == false)
    }

    @Test("bulk insert stores each new trade once, whatever the order, and flags the rest as duplicates", arguments: StoreKind.allCases)
    func bulkTickInsert(_ kind: StoreKind) throws {
        // Given 200 stored trades of BTCUSDT
        let store = try kind.make()
        let eth: Symbol = "ETHUSDT"
        let stored = (1...200).map { tick(Int64($0), Int64($0) * 10) }
        #expect(try store.write { tx in try tx.insert(contentsOf: stored) } == Array(repeating: true, count: 200))

        // When a batch mixes new trades (more than a 64-row statement's worth), repeats within the batch, stored
        // trades, a late trade older than everything stored, and another symbol
        var batch = (201...400).map { tick(Int64($0), Int64($0) * 10) }
        batch.insert(tick(250, 2500), at: 120)                     // repeat of a trade earlier in the batch
        batch.insert(tick(5, 50), at: 10)                          // already stored
        batch.insert(tick(1_000, 5), at: 70)                       // new, older than every stored trade
        batch += (1...3).map { Tick(symbol: eth, tradeID: Int64($0), timestamp: Timestamp(milliseconds: 100),
                                    price: 3000, quantity: 1, isBuyerMaker: false) }
        batch.append(tick(400, 4000))                              // repeat of the batch's newest trade
        let isNew = try store.write { tx in try tx.insert(contentsOf: batch) }

        // Then exactly the new ones are stored and flagged
        #expect(isNew.count == batch.count)
        #expect(isNew.filter { !$0 }.count == 3)
        #expect(!isNew[10] && isNew[70] && !isNew[122] && !isNew[isNew.count - 1])
        #expect(try store.tickCount(of: btc) == 401)
        #expect(try store.tickCount(of: eth) == 3)
        #expect(try store.write { tx in try tx.insert(tick(1_000, 5)) } == false)
        var times: [Int64] = []
        try store.forEachTick(of: btc, in: .all) { times.append($0.timestamp.milliseconds) }
        #expect(times == times.sorted() && times.first == 5)
        #expect(try store.symbols() == [btc, eth])
    }

    @Test("bars upsert in place and read back in a half-open range", arguments: StoreKind.allCases)
    func barsRoundTrip(_ kind: StoreKind) throws {
        let store = try kind.make()
        let bars = (0..<5).map { i in
            Bar(openTime: Timestamp(milliseconds: Int64(i) * 60_000), open: 1, high: 2, low: 0.5, close: 1.5,
                volume: 3, quoteVolume: 4.5, trades: 7, takerBuyVolume: 1)
        }
        try store.write { tx in for bar in bars { try tx.upsert(bar, of: btc, timeframe: .oneMinute) } }
        var changed = bars[2]
        changed.close = 1.75
        changed.trades = 8
        try store.write { tx in try tx.upsert(changed, of: btc, timeframe: .oneMinute) }

        let range = TimeRange(start: Timestamp(milliseconds: 60_000), end: Timestamp(milliseconds: 240_000))
        let read = try store.bars(for: btc, timeframe: .oneMinute, in: range)
        #expect(read.bars == [bars[1], changed, bars[3]])
        #expect(try store.lastBar(for: btc, timeframe: .oneMinute) == bars[4])
        #expect(try store.write { tx in try tx.bar(of: btc, timeframe: .oneMinute, openTime: changed.openTime) } == changed)
        #expect(try store.timeframes(for: btc) == [.oneMinute])
    }

    @Test("bulk upsert writes many bars and replaces stored ones; a bar repeated in one call keeps its last version", arguments: StoreKind.allCases)
    func bulkBarUpsert(_ kind: StoreKind) throws {
        let store = try kind.make()
        func bar(_ i: Int, close: Double) -> Bar {
            Bar(openTime: Timestamp(milliseconds: Int64(i) * 1000), open: 1, high: 3, low: 0.5, close: close,
                volume: 2, quoteVolume: 3, trades: 4, takerBuyVolume: 1)
        }
        try store.write { tx in try tx.upsert(contentsOf: (0..<70).map { bar($0, close: 1) }, of: btc, timeframe: .oneSecond) }
        let changed = (30..<70).map { bar($0, close: 2) } + [bar(69, close: 2.5)]
        try store.write { tx in try tx.upsert(contentsOf: changed, of: btc, timeframe: .oneSecond) }

        let read = try store.bars(for: btc, timeframe: .oneSecond, in: .all).bars
        #expect(read.count == 70)
        #expect(read.map(\.close) == Array(repeating: 1, count: 30) + Array(repeating: 2, count: 39) + [2.5])
    }

    @Test("a failing write leaves nothing behind", arguments: StoreKind.allCases)
    func rollback(_ kind: StoreKind) throws {
        struct Boom: Error {}
        let store = try kind.make()
        #expect(throws: Boom.self) {
            try store.write { tx in
                _ = try tx.insert(tick(1, 1000))
                throw Boom()
            }
        }
        #expect(try store.tickCount() == 0)
    }

    @Test("summaries count trades, bars and gaps per symbol", arguments: StoreKind.allCases)
    func summaries(_ kind: StoreKind) throws {
        let store = try kind.make()
        try store.write { tx in
            for i in 1...3 { _ = try tx.insert(tick(Int64(i), Int64(i) * 1000)) }
            try tx.upsert(Bar(openTime: Timestamp(milliseconds: 0), open: 1, high: 1, low: 1, close: 1, volume: 1,
                              quoteVolume: 1, trades: 1, takerBuyVolume: 0), of: btc, timeframe: .oneSecond)
            try tx.insert(StreamGap(symbol: btc, fromTradeID: 3, toTradeID: 10, fromTime: Timestamp(milliseconds: 3000),
                                    toTime: Timestamp(milliseconds: 9000), detectedAt: Timestamp(milliseconds: 9500)))
        }
        let summary = try #require(try store.summaries().first)
        #expect(summary.symbol == btc)
        #expect(summary.tickCount == 3)
        #expect(summary.firstTrade == Timestamp(milliseconds: 1000))
        #expect(summary.lastTrade == Timestamp(milliseconds: 3000))
        #expect(summary.barCounts.map(\.count) == [1])
        #expect(summary.gapCount == 1 && summary.openGapCount == 1)
        #expect(try store.gaps(for: btc).first?.missingTrades == 6)
    }

    @Test("ticks stream back in time order", arguments: StoreKind.allCases)
    func tickCursor(_ kind: StoreKind) throws {
        let store = try kind.make()
        try store.write { tx in for i in [3, 1, 2] { _ = try tx.insert(tick(Int64(i), Int64(i) * 1000)) } }
        var ids: [Int64] = []
        try store.forEachTick(of: btc, in: .all) { ids.append($0.tradeID) }
        #expect(ids == [1, 2, 3])
    }

    @Test("a file database uses WAL, passes integrity_check and reopens")
    func fileDatabase() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.sqlite").path
        do {
            let store = try Store(path: path, logger: .quiet)
            _ = try store.write { tx in try tx.insert(tick(1, 1000)) }
            #expect(try store.integrityCheck() == ["ok"])
        }
        let reopened = try Store(path: path, logger: .quiet)
        #expect(try reopened.tickCount() == 1)
        #expect((reopened.fileSize() ?? 0) > 0)
    }

    @Test("the writer gets a 32 MiB page cache, each pool reader 8 MiB")
    func pageCacheBounds() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(path: dir.appendingPathComponent("t.sqlite").path, logger: .quiet)
        #expect(try store.writer.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -32768)
        #expect(try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -8192)
    }

    @Test("a database of the pre-release table layout is refused with a clear error, and left as it was")
    func preReleaseLayout() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.sqlite").path
        do {
            // The development layout: v1 applied, trades in a table of their own, no `symbols`.
            let store = try Store(path: path, logger: .quiet)
            try store.write { tx in
                try tx.database.execute(sql: "DROP VIEW tick_data; DROP TABLE tick_rows; DROP TABLE symbols")
                try tx.database.execute(sql: "CREATE TABLE tick_data (symbol TEXT, trade_id INTEGER, PRIMARY KEY (symbol, trade_id)) WITHOUT ROWID")
            }
        }
        #expect {
            try Store(path: path, logger: .quiet)
        } throws: { error in
            "\(error)".contains("older table layout") && "\(error)".contains(path)
        }
    }

    @Test("opening a path in a missing folder is one clear error")
    func missingFolder() {
        #expect(throws: StoreError.cannotOpen(path: "/nonexistent/x.sqlite", reason: "folder /nonexistent does not exist")) {
            try Store(path: "/nonexistent/x.sqlite", logger: .quiet)
        }
        #expect(throws: StoreError.cannotOpen(path: "postgres://u@h/db", reason: "a URL, not a file: this command opens SQLite "
            + "files only (PostgreSQL is not wired to the commands yet)")) {
            try Store(path: "postgres://u@h/db", logger: .quiet)
        }
    }
}

/// The two kinds of writer a store runs on: tests on both, so that what production does (a WAL `DatabasePool` on a
/// file) is tested as much as the in-memory `DatabaseQueue`.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case queue, pool

    func make() throws -> Store {
        switch self {
        case .queue: return try Store.inMemory()
        case .pool: return try Store(path: Fixtures.temporaryDirectory(prefix: "pairbook-store").appendingPathComponent("s.sqlite").path, logger: .quiet)
        }
    }

    var testDescription: String { self == .queue ? "in-memory queue" : "WAL pool on a file" }
}
