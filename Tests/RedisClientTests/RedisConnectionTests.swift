import Logging
import PairbookTestSupport
import RedisClient
import Testing

@Suite("RedisConnection against a real redis-server", .enabled(if: RedisTestServer.isUsable, Comment(rawValue: RedisTestServer.skipReason)))
struct RedisConnectionTests {
    @Test("1,000 pipelined commands are written at once and their replies matched in order")
    func pipelining() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let connection = try await RedisConnection.connect(to: redis.configuration, logger: .quiet)
        // Ten counters, incremented in turn: reply i of counter c must be (i / 10) + 1 — any reordering shows.
        let commands = (0..<1_000).map { RedisCommand("INCR", "counter:\($0 % 10)") }
        let replies = try await connection.pipeline(commands)
        #expect(replies == (0..<1_000).map { .integer(Int64($0 / 10 + 1)) })
        // Concurrent pipelines on one connection each get their own replies.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let key = "task:\(task)"
                    let replies = try await connection.pipeline((0..<100).map { _ in RedisCommand("INCR", key) })
                    #expect(replies == (1...100).map { .integer(Int64($0)) })
                }
            }
            try await group.waitForAll()
        }
        #expect(try await connection.send(RedisCommand("GET", "counter:3")) == .bulkString(Array("100".utf8)))
        await connection.close()
        #expect(!connection.isActive)
    }

    @Test("an error reply is thrown with the server's message and leaves the connection usable")
    func errorReply() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        let connection = try await RedisConnection.connect(to: redis.configuration, logger: .quiet)
        _ = try await connection.send(RedisCommand("SET", "text", "not a stream"))
        await #expect {
            try await connection.pipeline([RedisCommand("XLEN", "text"), RedisCommand("PING")])
        } throws: { error in
            guard case .server(let command, let message)? = error as? RedisError else { return false }
            return command == "XLEN text" && message.hasPrefix("WRONGTYPE")
        }
        #expect(try await connection.send(RedisCommand("PING")) == .simpleString("PONG"))
        await connection.close()
    }

    @Test("the database of the URL is selected")
    func database() async throws {
        let redis = try await RedisTestServer.start()
        defer { redis.stop() }
        var database2 = redis.configuration
        database2.database = 2
        let two = try await RedisConnection.connect(to: database2, logger: .quiet)
        let zero = try await RedisConnection.connect(to: redis.configuration, logger: .quiet)
        _ = try await two.send(RedisCommand("SET", "where", "two"))
        #expect(try await zero.send(RedisCommand("EXISTS", "where")) == .integer(0))
        #expect(try await zero.send(RedisCommand("SELECT", "2")) == .simpleString("OK"))
        #expect(try await zero.send(RedisCommand("GET", "where")).string == "two")
        await two.close()
        await zero.close()
    }

    @Test("a server that accepts and never answers: the command times out and the connection closes")
    func commandTimeout() async throws {
        try await FakeBinanceServer.Silent.withServer { silent in
            var configuration = RedisTestServer.configuration(port: silent.port)
            configuration.commandTimeout = .milliseconds(300)
            let connection = try await RedisConnection.connect(to: configuration, logger: .quiet)
            let start = ContinuousClock.now
            await #expect(throws: RedisError.commandTimeout(command: "PING", after: .milliseconds(300))) {
                try await connection.pipeline([RedisCommand("PING"), RedisCommand("PING")])
            }
            #expect(start.duration(to: .now) >= .milliseconds(300))
            try await FakeBinanceServer.wait(timeout: .seconds(60)) { !connection.isActive }
            await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("PING")) }
        }
    }

    @Test("nothing listening: the connect error names the server")
    func refused() async throws {
        let port = try LoopbackHTTP.freePort()
        await #expect {
            try await RedisConnection.connect(to: RedisTestServer.configuration(port: port), logger: .quiet)
        } throws: { error in
            guard case .connectFailed(let host, let failedPort, _)? = error as? RedisError else { return false }
            return host == "127.0.0.1" && failedPort == port && "\(error)".contains("127.0.0.1:\(port)")
        }
    }
}
