import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Market
import PairbookTestSupport
import Storage

@testable import Dashboard

let quietLogger = Logger(label: "test.dashboard", factory: { _ in SwiftLogNoOpLogHandler() })

/// 2023-01-01T00:00:00Z.
let dayStart = Timestamp(milliseconds: 1_672_531_200_000)

/// A cointegrated pair of 1-minute bar series: `quote` a seeded random walk, `base` = 8 × quote + stationary noise.
func syntheticBars(count: Int = 1440, seed: UInt64 = 7) -> (base: [Bar], quote: [Bar]) {
    var rng = SplitMix64(seed: seed)
    func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) - 0.5 }
    var quotePrice = 1200.0
    var noise = 0.0
    var base: [Bar] = [], quote: [Bar] = []
    for i in 0..<count {
        let t = dayStart + TimeSpan(milliseconds: Int64(i) * 60_000)
        let q0 = quotePrice
        quotePrice += uniform() * 2
        noise = 0.8 * noise + uniform() * 20
        let b0 = 8 * q0 + noise
        let b1 = 8 * quotePrice + noise
        quote.append(Bar(openTime: t, open: q0, high: max(q0, quotePrice) + 0.5, low: min(q0, quotePrice) - 0.5, close: quotePrice,
                         volume: 10 + Double(i % 7), quoteVolume: (10 + Double(i % 7)) * quotePrice, trades: 20, takerBuyVolume: 5))
        base.append(Bar(openTime: t, open: b0, high: max(b0, b1) + 3, low: min(b0, b1) - 3, close: b1,
                        volume: 1 + Double(i % 5), quoteVolume: (1 + Double(i % 5)) * b1, trades: 30, takerBuyVolume: 0.5))
    }
    return (base, quote)
}

/// An in-memory store holding one day of synthetic BTCUSDT/ETHUSDT 1-minute bars.
func storeWithBars() throws -> Store {
    let store = try Store.inMemory()
    let (base, quote) = syntheticBars()
    try store.write { tx in
        try tx.upsert(contentsOf: base, of: "BTCUSDT", timeframe: .oneMinute)
        try tx.upsert(contentsOf: quote, of: "ETHUSDT", timeframe: .oneMinute)
    }
    return store
}

/// A dashboard over `store` with the repository's templates and shipped report scripts.
func makeDashboard(store: Store, token: String? = nil, output: String = "/nonexistent", hub: EventHub = EventHub()) throws -> Dashboard {
    let root = SharedData.packageRoot.path
    return try Dashboard(
        configuration: DashboardConfiguration(reportsDirectory: root + "/Reports", outputDirectory: output,
                                              templatesDirectory: root + "/templates", token: token),
        store: store, hub: hub, now: { dayStart + TimeSpan(milliseconds: 86_400_000) }, logger: quietLogger)
}

func makeApplication(_ dashboard: Dashboard) throws -> some ApplicationProtocol {
    try DashboardServer(dashboard: dashboard, host: "127.0.0.1", port: 0, logger: quietLogger).makeApplication()
}

func json(_ response: TestResponse) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] else {
        throw DashboardTestError.notAnObject
    }
    return object
}

func text(_ response: TestResponse) -> String { String(buffer: response.body) }

enum DashboardTestError: Error { case notAnObject }
