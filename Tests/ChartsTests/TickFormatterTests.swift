import Charts
import Testing

struct TickFormatterTests {
    @Test("labels use the step's decimals and group thousands on BTC-sized values")
    func plainLabels() {
        let btc = TickFormatter().labels(for: TickLocator(maxTicks: 6).ticks(lower: 63_834.5, upper: 63_999.1))
        #expect(btc.labels == ["63,850", "63,900", "63,950"])
        #expect(btc.offset == nil)
        let eth = TickFormatter().labels(for: TickLocator(maxTicks: 6).ticks(lower: 3_415.72, upper: 3_427.14))
        #expect(eth.labels == ["3416", "3418", "3420", "3422", "3424", "3426"])
        let corr = TickFormatter().labels(for: TickLocator(maxTicks: 5).ticks(lower: -1.05, upper: 1.05))
        #expect(corr.labels == ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
    }

    @Test("a small range on a large value is labelled relative to an offset")
    func offsetLabels() {
        let ticks = TickLocator(maxTicks: 6).ticks(lower: 63_950.0, upper: 63_952.5)
        let labels = TickFormatter().labels(for: ticks)
        #expect(labels.offset == 63_950)
        #expect(labels.offsetLabel == "+63,950")
        #expect(labels.labels == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
    }

    @Test("volumes get SI suffixes")
    func compactLabels() {
        let labels = TickFormatter(style: .compact).labels(for: ValueTicks(values: [0, 500_000, 1_000_000, 1_500_000], step: 500_000))
        #expect(labels.labels == ["0", "0.5M", "1.0M", "1.5M"])
        let small = TickFormatter(style: .compact).labels(for: ValueTicks(values: [0, 20, 40], step: 20))
        #expect(small.labels == ["0", "20", "40"])
    }

    @Test("fixed-point formatting", arguments: [
        (1234.5, 1, true, "1,234.5"), (-0.0001, 2, false, "0.00"), (-2.5, 0, false, "-3"), (0.995, 2, false, "1.00"),
        (1_000_000, 0, true, "1,000,000"), (-63_950.25, 2, true, "-63,950.25"), (0.05, 2, false, "0.05"),
    ])
    func format(value: Double, decimals: Int, grouping: Bool, expected: String) {
        #expect(TickFormatter.format(value, decimals: decimals, grouping: grouping) == expected)
    }

    @Test("decimals follow the step", arguments: [(0.5, 1), (0.05, 2), (20.0, 0), (2e-5, 5), (1.0, 0)])
    func decimals(step: Double, expected: Int) {
        #expect(TickFormatter.decimals(for: step) == expected)
    }
}
