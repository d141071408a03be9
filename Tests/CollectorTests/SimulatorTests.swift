import Collector
import Foundation
import Market
import Storage
import Testing
import PairbookTestSupport

struct SimulatorTests {
    static let hour = TimeRange(start: Timestamp(seconds: 1_704_067_200), end: Timestamp(seconds: 1_704_070_800))

    @Test("the same seed gives the same trades; another seed different ones")
    func determinism() {
        let a = Array(Simulator(configuration: .init(seed: 7)).ticks(in: Self.hour).prefix(5_000))
        let b = Array(Simulator(configuration: .init(seed: 7)).ticks(in: Self.hour).prefix(5_000))
        let c = Array(Simulator(configuration: .init(seed: 8)).ticks(in: Self.hour).prefix(5_000))
        #expect(a == b)
        #expect(a != c)
        // The generator matches the reference xoshiro256** seeded by SplitMix64 (values from a Python port).
        var rng = Xoshiro256(seed: 42)
        #expect([rng.next(), rng.next(), rng.next()] == [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009])
    }

    @Test("trades look like a market: rates, tick and lot grids, ids, sides, cointegrated legs")
    func sanity() throws {
        let simulator = Simulator()
        var counts: [Symbol: Int] = [:]
        var lastID: [Symbol: Int64] = [:]
        var lastTime = Int64.min
        var buyerMaker = 0
        var minuteClose: [Symbol: [Int64: Double]] = [:]
        for tick in simulator.ticks(in: Self.hour) {
            counts[tick.symbol, default: 0] += 1
            #expect(Self.hour.contains(tick.timestamp))
            #expect(tick.timestamp.milliseconds >= lastTime)
            lastTime = tick.timestamp.milliseconds
            if let previous = lastID[tick.symbol] { #expect(tick.tradeID == previous + 1) }
            lastID[tick.symbol] = tick.tradeID
            let scale = tick.symbol == "BTCUSDT" ? 10.0 : 100.0
            #expect((tick.price * scale).rounded() / scale == tick.price)
            #expect((tick.quantity * 1000).rounded() / 1000 == tick.quantity && tick.quantity >= 0.001)
            if tick.isBuyerMaker { buyerMaker += 1 }
            minuteClose[tick.symbol, default: [:]][tick.timestamp.milliseconds / 60_000] = tick.price
        }
        let btc = try #require(counts["BTCUSDT"])
        let eth = try #require(counts["ETHUSDT"])
        #expect(abs(Double(btc) - 6 * 3600) < 4 * (6.0 * 3600).squareRoot())
        #expect(abs(Double(eth) - 5.5 * 3600) < 4 * (5.5 * 3600).squareRoot())
        let total = Double(btc + eth)
        #expect(abs(Double(buyerMaker) / total - 0.5) < 0.02)
        // Minute log returns of the two legs move together (β = 1, small OU spread).
        let minutes = Set(minuteClose["BTCUSDT"]!.keys).intersection(minuteClose["ETHUSDT"]!.keys).sorted()
        var x: [Double] = []
        var y: [Double] = []
        for (m0, m1) in zip(minutes, minutes.dropFirst()) {
            x.append(log(minuteClose["BTCUSDT"]![m1]! / minuteClose["BTCUSDT"]![m0]!))
            y.append(log(minuteClose["ETHUSDT"]![m1]! / minuteClose["ETHUSDT"]![m0]!))
        }
        #expect(correlation(x, y) > 0.5)
        // Prices stay near their starting levels over an hour.
        #expect(abs(minuteClose["BTCUSDT"]![minutes.last!]! / 60_000 - 1) < 0.05)
        #expect(abs(minuteClose["ETHUSDT"]![minutes.last!]! / 3_000 - 1) < 0.05)
    }

    @Test("simulated trades go through the recorder")
    func recorded() throws {
        let store = try Store.inMemory()
        let recorder = Recorder(store: store, logger: .quiet)
        let range = TimeRange(start: Self.hour.start, end: Self.hour.start + .minutes(10))
        let result = try recorder.record(contentsOf: Simulator().ticks(in: range), batchSize: 1_000)
        #expect(result.inserted == Array(Simulator().ticks(in: range)).count)
        #expect(try store.bars(for: "ETHUSDT", timeframe: .fiveMinutes, in: .all).count == 2)
        #expect(try recorder.record(contentsOf: Simulator().ticks(in: range)).inserted == 0)
    }

    func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}
