import Charts
import Testing

struct TickLocatorTests {
    @Test("ticks are 1-2-5 multiples inside the interval", arguments: [
        (0.0, 10.0, 6, [0.0, 2, 4, 6, 8, 10], 2.0),
        (0.0, 1.0, 6, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 0.2),
        (63_834.5, 63_999.1, 6, [63_850.0, 63_900, 63_950], 50.0),
        (16_497.0, 16_764.0, 8, [16_500.0, 16_550, 16_600, 16_650, 16_700, 16_750], 50.0),
        (-1.05, 1.05, 5, [-1.0, -0.5, 0, 0.5, 1.0], 0.5),
        (-6.8, 6.8, 8, [-6.0, -4, -2, 0, 2, 4, 6], 2.0),
        (0.0, 1_400.0, 2, [0.0, 1_000], 1_000.0),
    ])
    func niceTicks(lower: Double, upper: Double, maxTicks: Int, expected: [Double], step: Double) {
        let ticks = TickLocator(maxTicks: maxTicks).ticks(lower: lower, upper: upper)
        #expect(ticks.step == step)
        #expect(ticks.values.count == expected.count)
        for (a, b) in zip(ticks.values, expected) { #expect(abs(a - b) < 1e-9) }
    }

    @Test("never more ticks than asked for (one more only to reach two), never fewer than two", arguments: 2...12)
    func countBounds(maxTicks: Int) {
        for (lo, hi) in [(0.0, 7.3), (99.1, 100.4), (-3.3, 12.9), (63_950.0, 63_952.5), (1e-5, 3e-5)] {
            let ticks = TickLocator(maxTicks: maxTicks).ticks(lower: lo, upper: hi)
            #expect(ticks.values.count >= 2)
            #expect(ticks.values.count <= (maxTicks == 2 ? 3 : maxTicks))
            #expect(ticks.values.allSatisfy { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 })
        }
    }

    @Test("a degenerate interval has no ticks")
    func degenerate() {
        #expect(TickLocator(maxTicks: 5).ticks(lower: 3, upper: 3).values.isEmpty)
        #expect(TickLocator(maxTicks: 5).ticks(lower: .nan, upper: 3).values.isEmpty)
    }
}
