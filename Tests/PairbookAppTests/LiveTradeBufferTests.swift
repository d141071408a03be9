import Collector
import Market
@testable import PairbookApp
import PairbookTestSupport
import Testing

@Suite("LiveTradeBuffer: the Redis buffer's memory")
struct LiveTradeBufferTests {
    /// Trades `ids` of `symbol` (price 64,000 + id, quantity 0.001, even ids sold by the taker), as one commit.
    static func batch(_ ids: ClosedRange<Int64>, _ symbol: Symbol = "BTCUSDT", bars: [ResampledBar] = []) -> CommittedBatch {
        CommittedBatch(ticks: ids.map { .sample(symbol, id: $0, price: 64_000 + Double($0), quantity: 0.001, buyerMaker: $0 % 2 == 0) },
                       bars: bars)
    }

    static func bar(_ symbol: Symbol, _ timeframe: Timeframe, close: Double) -> ResampledBar {
        ResampledBar(symbol: symbol, timeframe: timeframe, bar: Bar(openTime: Timestamp(milliseconds: 0), open: 1, high: close,
                                                                   low: 1, close: close, volume: 1, quoteVolume: 1, trades: 1,
                                                                   takerBuyVolume: 0))
    }

    @Test("keeps the newest trades per symbol; unwritten ones pushed out are counted as dropped")
    func bounded() {
        var buffer = LiveTradeBuffer(capacity: 100)
        buffer.add(Self.batch(1...250))
        buffer.add(Self.batch(1...30, "ETHUSDT"))
        #expect(buffer.ticks(of: "BTCUSDT").map(\.tradeID) == Array(151...250))
        #expect(buffer.ticks(of: "ETHUSDT").count == 30)
        #expect(buffer.droppedTrades == 150)
        #expect(buffer.unwrittenTrades == 130)
        // Written trades pushed out later are not dropped.
        buffer.markWritten(buffer.takePending())
        buffer.add(Self.batch(251...300))
        #expect(buffer.droppedTrades == 150)
        #expect(buffer.unwrittenTrades == 50)
        #expect(buffer.writtenTrades == 130)
    }

    @Test("a trade id already held is ignored")
    func duplicates() {
        var buffer = LiveTradeBuffer(capacity: 10)
        buffer.add(Self.batch(1...5))
        buffer.add(Self.batch(4...7))
        #expect(buffer.ticks(of: "BTCUSDT").map(\.tradeID) == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test("pending is what is unwritten; a failed write leaves the trades and gives back bars not replaced since")
    func pendingAndRestore() {
        var buffer = LiveTradeBuffer(capacity: 10)
        buffer.add(Self.batch(1...3, bars: [Self.bar("BTCUSDT", .oneSecond, close: 1), Self.bar("BTCUSDT", .oneMinute, close: 1)]))
        let first = buffer.takePending()
        #expect(first.trades.map { $0.ticks.map(\.tradeID) } == [[1, 2, 3]])
        #expect(first.bars.count == 2)
        // While the write is out, a newer 1 s bar and more trades arrive; then the write fails.
        buffer.add(Self.batch(4...4, bars: [Self.bar("BTCUSDT", .oneSecond, close: 2)]))
        buffer.restore(first)
        let second = buffer.takePending()
        #expect(second.trades.map { $0.ticks.map(\.tradeID) } == [[1, 2, 3, 4]])
        #expect(Set(second.bars.map { "\($0.timeframe) \($0.bar.close)" }) == ["1s 2.0", "1m 1.0"])
        buffer.markWritten(second)
        #expect(buffer.takePending().isEmpty)
    }

    /// The newest trade id a server holds, and the trades then unwritten (1…5 buffered and written before).
    static let catchUpCases: [(Int64?, [Int64])] = [(nil, Array(1...5)), (3, [4, 5]), (5, []), (99, []), (0, Array(1...5))]

    @Test("catching up against a server: after its newest trade, everything when it is empty or unknown, nothing when newer",
          arguments: catchUpCases)
    func catchUp(lastWrittenID: Int64?, unwritten: [Int64]) {
        var buffer = LiveTradeBuffer(capacity: 10)
        buffer.add(Self.batch(1...5))
        buffer.markWritten(buffer.takePending())
        buffer.catchUp(symbol: "BTCUSDT", lastWrittenID: lastWrittenID)
        #expect(buffer.takePending().trades.flatMap { $0.ticks.map(\.tradeID) } == unwritten)
    }
}
