import Foundation
import Market
import PairbookTestSupport
import Testing

@testable import Storage

@Suite struct StoreChangeCounterTests {
    func bar(_ i: Int64) -> Bar {
        Bar(openTime: Timestamp(milliseconds: i * 1000), open: 1, high: 2, low: 0.5, close: 1.5, volume: 1, quoteVolume: 1.5,
            trades: 1, takerBuyVolume: 0.5)
    }

    @Test("in memory: the counter moves with every commit that changes rows, and only then")
    func inMemory() throws {
        let store = try Store.inMemory()
        let before = try store.changeCounter()
        #expect(try store.changeCounter() == before)
        try store.write { tx in try tx.upsert(bar(1), of: "BTCUSDT", timeframe: .oneSecond) }
        let after = try store.changeCounter()
        #expect(after != before)
        #expect(try store.changeCounter() == after)
    }

    @Test("a file: commits through this store and through another connection (another process) both move the counter")
    func file() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.sqlite").path
        let store = try Store(path: path, logger: .quiet)
        let other = try Store(path: path, logger: .quiet)

        let first = try store.changeCounter()
        #expect(try store.changeCounter() == first)
        try store.write { tx in try tx.upsert(bar(1), of: "BTCUSDT", timeframe: .oneSecond) }
        let second = try store.changeCounter()
        #expect(second != first)
        try other.write { tx in try tx.upsert(bar(2), of: "BTCUSDT", timeframe: .oneSecond) }
        let third = try store.changeCounter()
        #expect(third != second)
        _ = try store.bars(for: "BTCUSDT", timeframe: .oneSecond, in: .all)
        #expect(try store.changeCounter() == third)
    }
}
