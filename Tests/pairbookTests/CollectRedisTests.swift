import Foundation
import Logging
import PairbookTestSupport
import RedisClient
import Storage
import Synchronization
import Testing

/// `pairbook collect --redis` end to end: the built binary records a replayed stream while redis-server is killed in
/// the middle, then started again on the same port, empty.
@Suite("pairbook collect --redis: Redis killed mid-collection",
       .enabled(if: ImporterCLI.isAvailable, "pairbook binary not found next to the tests (set PAIRBOOK_BINARY)"),
       .enabled(if: RedisTestServer.isUsable, Comment(rawValue: RedisTestServer.skipReason)))
struct CollectRedisTests {
    static let patience: Duration = .seconds(300)  // the whole suite runs at once on 2 cores: its first minutes are CPU-bound

    /// The `id` fields of a stream, oldest first, once `condition` holds for them (polled every 50 ms); the last seen
    /// when the patience runs out. An unreachable server reads as no entries.
    static func streamIDs(_ key: String, on redis: RedisTestServer, until condition: ([Int64]) -> Bool) async throws -> [Int64] {
        let configuration = redis.configuration
        let deadline = ContinuousClock.now + patience
        var ids: [Int64] = []
        while true {
            if let connection = try? await RedisConnection.connect(to: configuration, logger: .quiet) {
                let entries = (try? await connection.send(RedisCommand("XRANGE", key, "-", "+")).array) ?? []
                await connection.close()
                ids = entries.compactMap { entry in
                    let fields = entry.array?.last?.array?.compactMap(\.string) ?? []
                    return fields.firstIndex(of: "id").flatMap { Int64(fields[$0 + 1]) }
                }
            }
            if condition(ids) || ContinuousClock.now >= deadline { return ids }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("the collector goes on, every trade is stored, one line says Redis went away, and the buffer comes back with Redis")
    func redisKilledMidCollection() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "pairbook-collect-redis")
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let key = "pairbook:trades:BTCUSDT"
        let killed = Atomic(false)
        // 3,000 trades, a wait until the test has killed Redis, then 3,000 more — all recorded while Redis is down.
        let steps = [FakeBinanceServer.Step.waitForClients(1)] + (1...3_000).map { .frame(RunCommandTests.frame(Int64($0))) }
            + [.waitUntil { killed.load(ordering: .relaxed) }] + (3_001...6_000).map { .frame(RunCommandTests.frame(Int64($0))) }
        try await FakeBinanceServer.withServer(steps: steps, framesPerSecond: 1_000) { server in
            // The log into a file: read at the end, a pipe could fill up and block the collector meanwhile.
            let logFile = dir.appendingPathComponent("collect.log")
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let stderr = try FileHandle(forWritingTo: logFile)
            defer { try? stderr.close() }
            let process = try ImporterCLI.start(
                ["collect", "--db", "collect.sqlite", "--symbols", "BTCUSDT", "--endpoint", server.baseURL, "--redis", redis.url],
                in: dir, output: (FileHandle.nullDevice, stderr))
            // Given trades flowing into Redis
            let written = try await Self.streamIDs(key, on: redis) { !$0.isEmpty }
            #expect(!written.isEmpty)

            // When redis-server is killed in the middle of the collection
            redis.kill()
            killed.store(true, ordering: .relaxed)

            // Then the collector goes on: every trade of the replay is stored
            try await server.waitUntilFinished(timeout: Self.patience)
            let store = try Store(path: dir.appendingPathComponent("collect.sqlite").path, logger: .quiet)
            try await FakeBinanceServer.wait(timeout: Self.patience) { ((try? store.tickCount()) ?? 0) == 6_000 }

            // And when redis-server is started again on the same port (empty), the newest 1,000 trades are back
            try await redis.restart()
            let back = try await Self.streamIDs(key, on: redis) { $0.last == 6_000 }
            #expect(back == Array(5_001...6_000))

            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            let log = String(decoding: try Data(contentsOf: logFile), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            #expect(try store.tickCount() == 6_000)
            let away = log.split(separator: "\n").filter { $0.contains("Redis went away") }
            #expect(away.count == 1, "\(log.suffix(2_000))")
            #expect(log.contains("Redis is back"), "\(log.suffix(2_000))")
        }
    }
}
