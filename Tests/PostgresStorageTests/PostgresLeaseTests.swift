import Foundation
import Market
import PairbookTestSupport
import PostgresStorage
import Storage
import Testing

/// `collector_leases` on PostgreSQL: the SQLite store's lease rules, for collectors on several machines.
@Suite("PostgreSQL collector leases", .serialized, .enabled(if: PostgresTestServer.isAvailable, "\(PostgresTestServer.skipReason)"))
final class PostgresLeaseTests {
    let server: PostgresTestServer
    let t0 = Timestamp(milliseconds: 1_764_000_000_000)
    let alice = LeaseHolder(id: "alice", host: "host-a", pid: 101)
    let bob = LeaseHolder(id: "bob", host: "host-b", pid: 202)

    init() throws { server = try PostgresTestServer() }
    deinit { server.stop() }

    @Test("a held symbol is refused with the SQLite store's message; nothing of the batch is taken; sharing records alongside")
    func conflictAndShare() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        #expect(try await store.acquireLeases(on: ["BTCUSDT"], for: alice, at: t0, ttl: .seconds(30)) == ["BTCUSDT"])
        await #expect {
            try await store.acquireLeases(on: ["ETHUSDT", "BTCUSDT"], for: bob, at: t0 + .seconds(5), ttl: .seconds(30))
        } throws: { error in
            (error as? LeaseConflict)?.description == "BTCUSDT is being collected by another pairbook (pid 101 on host-a, lease renewed 5 s ago, "
                + "expires in 25 s unless renewed); stop that collector, or pass --share-symbols to record alongside it"
        }
        #expect(try await store.collectorLeases().map(\.symbol) == ["BTCUSDT"])  // ETHUSDT was not taken either
        #expect(try await store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: bob, at: t0, ttl: .seconds(30), share: true) == ["ETHUSDT"])
        #expect(try await store.collectorLeases().map(\.holder) == ["alice", "bob"])
        await store.close()
    }

    @Test("renewals keep a lease; an expired one, an abandoned one and a released one are taken over")
    func expiryAbandonRelease() async throws {
        let store = try await PostgresStore.connect(try PostgresURL(try server.createDatabase()), logger: .quiet)
        try await store.acquireLeases(on: ["BTCUSDT", "ETHUSDT"], for: alice, at: t0, ttl: .seconds(30))
        #expect(try await store.renewLeases(of: alice, at: t0 + .seconds(20), ttl: .seconds(30)) == ["BTCUSDT", "ETHUSDT"])
        let (bob, t0) = (self.bob, self.t0)
        await #expect(throws: LeaseConflict.self) { try await store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + .seconds(45), ttl: .seconds(30)) }
        #expect(try await store.acquireLeases(on: ["BTCUSDT"], for: bob, at: t0 + TimeSpan(milliseconds: 50_001), ttl: .seconds(30)) == ["BTCUSDT"])
        #expect(try await store.renewLeases(of: alice, at: t0 + .seconds(51), ttl: .seconds(30)) == ["ETHUSDT"])
        let lease = try #require(try await store.collectorLeases().first { $0.symbol == "BTCUSDT" })
        #expect(lease.holder == "bob" && lease.pid == 202 && lease.host == "host-b" && lease.acquiredAt == t0 + TimeSpan(milliseconds: 50_001))
        // Alice's process is gone: Bob takes ETHUSDT at once; then he stops and releases everything
        #expect(try await store.acquireLeases(on: ["ETHUSDT"], for: bob, at: t0 + .seconds(52), ttl: .seconds(30)) { $0.pid == 101 } == ["ETHUSDT"])
        try await store.releaseLeases(of: bob)
        #expect(try await store.collectorLeases().isEmpty)
        await store.close()
    }

    @Test("two collectors on two connections race for the same symbols: each symbol goes to exactly one")
    func race() async throws {
        let url = try PostgresURL(try server.createDatabase())
        let stores = [try await PostgresStore.connect(url, logger: .quiet), try await PostgresStore.connect(url, logger: .quiet)]
        let symbols = (0..<40).map { Symbol(stringLiteral: "S\($0)USDT") }
        let t0 = self.t0
        let won = try await withThrowingTaskGroup(of: [Symbol].self) { group in
            for (store, holder) in zip(stores, [alice, bob]) {
                group.addTask {
                    var mine: [Symbol] = []
                    for symbol in symbols {
                        do { mine += try await store.acquireLeases(on: [symbol], for: holder, at: t0, ttl: .seconds(30)) } catch is LeaseConflict {}
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(won.flatMap { $0 }.sorted() == symbols.sorted())
        #expect(try await stores[0].collectorLeases().count == 40)
        for store in stores { await store.close() }
    }
}
