import Collector
import InMemoryLogging
import Logging
import Market
import PairbookTestSupport
import Storage
import Synchronization
import Testing

/// The collector's lease service on a manual clock: acquired before start, renewed on every tick, released at the end.
struct LeaseKeeperTests {
    @Test("renews every tick of its clock and releases the leases when it stops")
    func renewAndRelease() async throws {
        let store = try Store.inMemory()
        let clock = ManualClock()
        let t0 = Timestamp(milliseconds: 1_764_000_000_000)
        let wall = Mutex(t0)
        let keeper = LeaseKeeper(store: store, symbols: ["BTCUSDT", "ETHUSDT"], share: false,
                                 holder: LeaseHolder(id: "me", host: "here", pid: 1), ttl: .seconds(30), renewEvery: .seconds(10),
                                 clock: clock, now: { wall.withLock { $0 } }, logger: .quiet)
        try await keeper.acquire()
        #expect(try store.collectorLeases().map(\.expiresAt) == [t0 + .seconds(30), t0 + .seconds(30)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await keeper.run() }
            try await FakeBinanceServer.wait(timeout: .seconds(300)) { clock.sleeperCount == 1 }
            wall.withLock { $0 = t0 + .seconds(10) }
            clock.advance(by: .seconds(10))
            try await FakeBinanceServer.wait(timeout: .seconds(300)) {
                (try? store.collectorLeases().allSatisfy { $0.expiresAt == t0 + .seconds(40) }) == true
            }
            // Meanwhile a second collector of BTCUSDT is refused.
            #expect(throws: LeaseConflict.self) {
                try store.acquireLeases(on: ["BTCUSDT"], for: LeaseHolder(id: "other", host: "there", pid: 2),
                                        at: t0 + .seconds(39), ttl: .seconds(30))
            }
            group.cancelAll()
        }
        #expect(try store.collectorLeases().isEmpty)
    }

    @Test("a symbol held by another collector stops start-up, unless shared")
    func refusedOrShared() async throws {
        let store = try Store.inMemory()
        let now = Timestamp.now()
        try store.acquireLeases(on: ["BTCUSDT"], for: LeaseHolder(id: "other", host: "elsewhere", pid: 7), at: now, ttl: .seconds(30))
        let (logger, log) = Logger.recording()
        func keeper(share: Bool) -> LeaseKeeper<ManualClock> {
            LeaseKeeper(store: store, symbols: ["BTCUSDT", "ETHUSDT"], share: share, clock: ManualClock(), logger: logger)
        }
        await #expect(throws: LeaseConflict.self) { try await keeper(share: false).acquire() }
        #expect(log.entries.isEmpty)
        try await keeper(share: true).acquire()
        #expect(log.entries.map(\.level) == [.warning])
        #expect(log.entries.first?.metadata["symbols"] == "BTCUSDT")
        #expect(try store.collectorLeases().map(\.symbol) == ["BTCUSDT", "ETHUSDT"])
        #expect(try store.collectorLeases().first?.holder == "other")
    }
}
