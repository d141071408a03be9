import Market
import Testing

@Suite struct ExactSumTests {
    @Test func tenthsAddUpExactly() {
        var sum = ExactSum()
        var plain = 0.0
        for _ in 0..<10 {
            sum.add(0.1)
            plain += 0.1
        }
        #expect(plain != 1.0)  // what summing doubles gives: 0.9999999999999999
        #expect(sum.value == 1.0)
        #expect(sum.isExact)
    }

    @Test func quantitiesPrintAsTheirDecimalSum() {
        // Binance-like quantities (3 decimals): the double sum drifts, the exact one prints as the decimal.
        let quantities = [0.001, 0.123, 1.5, 0.017, 0.002, 3.141, 0.333, 0.7, 0.019, 0.045]
        var sum = ExactSum()
        for _ in 0..<137 { for q in quantities { sum.add(q) } }
        #expect(sum.value.description == "805.697")  // the double sum: 805.6969999999993
    }

    @Test func quoteVolumeIsAnExactProduct() {
        var sum = ExactSum()
        sum.add(price: 67234.5, times: 0.003)
        sum.add(price: 0.0123456, times: 1000)
        sum.add(price: 3456.78, times: 0.017)
        // 201.7035 + 12.3456 + 58.76526 = 272.81436
        #expect(sum.value.description == "272.81436")
        var terms = ExactSum()
        terms.add(ExactSum.Term(price: 67234.5, times: 0.003))
        #expect(terms.value == 201.7035)
    }

    @Test func manySignificantDigitsStayCorrectlyRounded() {
        // 16+ significant digits: the text path decides the nearest double of the exact decimal.
        var sum = ExactSum()
        sum.add(12_345_678.12345678)
        sum.add(87_654_321.87654321)
        #expect(sum.isExact)
        #expect(sum.value == 99_999_999.99999999)
        var negative = ExactSum()
        negative.add(-0.5)
        negative.add(0.25)
        #expect(negative.value == -0.25)
    }

    @Test func moreThanEightDecimalsFallsBackToTheDoubleSum() {
        var sum = ExactSum()
        sum.add(1.0)
        sum.add(1e-9)
        #expect(!sum.isExact)
        #expect(sum.value == 1.0 + 1e-9)
        var infinite = ExactSum()
        infinite.add(.infinity)
        #expect(!infinite.isExact && infinite.value == .infinity)
        var merged = ExactSum(0.5)
        merged.add(sum)
        #expect(!merged.isExact && merged.value == 0.5 + (1.0 + 1e-9))
    }

    @Test func barsRollUpExactly() throws {
        let t0 = Timestamp(milliseconds: 1_700_000_100_000)
        let minute = Timestamp(milliseconds: 60_000).milliseconds
        var bars: [Bar] = []
        for i in 0..<5 {
            let open = Timestamp(milliseconds: t0.milliseconds + Int64(i) * minute)
            let base = Double(i)
            bars.append(Bar(openTime: open, open: 10 + base, high: 12 + base, low: 9 - base, close: 11 + base,
                            volume: 2.017, quoteVolume: 20.17, trades: 3, takerBuyVolume: 0.1))
        }
        let rolled = try #require(Bar.rolledUp(bars, openTime: t0))
        #expect(rolled.open == 10 && rolled.close == 15 && rolled.high == 16 && rolled.low == 5 && rolled.trades == 15)
        #expect(rolled.volume.description == "10.085")  // the double sum: 10.084999999999999
        #expect(rolled.quoteVolume.description == "100.85")
        #expect(rolled.takerBuyVolume.description == "0.5")
        #expect(Bar.rolledUp([Bar](), openTime: t0) == nil)
    }
}
