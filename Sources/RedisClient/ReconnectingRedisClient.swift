import Logging
import NIOCore
import NIOPosix

/// A Redis client that survives the server going away: it holds one ``RedisConnection``, makes a new one when the old
/// one is lost, and paces its attempts with a ``RedisBackoff`` on an injected clock (a test moves a manual clock
/// instead of sleeping).
///
/// Commands are never retried on their own (a retried `XADD` could add twice): a command that fails because the
/// connection went away throws, and the next call connects again once the backoff has passed.
///
/// ```swift
/// let client = ReconnectingRedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:6379"),
///                                      clock: ContinuousClock(), logger: logger)
/// let length = try await client.send(RedisCommand("XLEN", "pairbook:trades:BTCUSDT")).integer
/// ```
public actor ReconnectingRedisClient<C: Clock> where C.Duration == Duration {
    public nonisolated let configuration: RedisConfiguration
    private let backoff: RedisBackoff
    private let clock: C
    private let group: any EventLoopGroup
    private let logger: Logger
    private var current: RedisConnection?
    private var failures = 0
    private var nextAttempt: C.Instant?

    public init(configuration: RedisConfiguration, backoff: RedisBackoff = RedisBackoff(), clock: C,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.backoff = backoff
        self.clock = clock
        self.group = group
        self.logger = logger
    }

    /// Failed connection attempts since the last success.
    public var consecutiveFailures: Int { failures }

    /// The open connection, or a new one: after failed attempts it first sleeps (on the clock) until the backoff has
    /// passed, then tries once.
    ///
    /// A caller can tell a new connection from the old one by identity (`!==`), e.g. to catch up on what it could not
    /// write while the server was away.
    /// - Throws: the attempt's ``RedisError``; `CancellationError` when cancelled while waiting.
    public func connection() async throws -> RedisConnection {
        if let current, current.isActive { return current }
        current = nil
        if let nextAttempt { try await clock.sleep(until: nextAttempt, tolerance: nil) }
        if let current, current.isActive { return current }  // another caller connected while this one slept
        do {
            let connection = try await RedisConnection.connect(to: configuration, group: group, logger: logger)
            if let current, current.isActive {
                await connection.close()
                return current
            }
            current = connection
            failures = 0
            nextAttempt = nil
            return connection
        } catch {
            failures += 1
            nextAttempt = clock.now.advanced(by: backoff.delay(afterFailures: failures))
            logger.debug("Redis connection attempt failed", metadata: [
                "redis.server": "\(configuration)", "redis.failures": "\(failures)", "error": "\(error)",
            ])
            throw error
        }
    }

    /// Sends one command on ``connection()``.
    /// - Throws: see ``RedisConnection/send(_:)``; after an error that closes the connection the next call reconnects.
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await pipeline([command])[0]
    }

    /// Pipelines `commands` on ``connection()`` (see ``RedisConnection/pipeline(_:)``).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        let connection = try await connection()
        do {
            return try await connection.pipeline(commands)
        } catch let error as RedisError where error.closesConnection {
            await lost(connection)
            throw error
        }
    }

    /// Forgets `connection` (closing it) after a caller saw it fail; the next ``connection()`` makes a new one at once.
    public func lost(_ connection: RedisConnection) async {
        if current === connection { current = nil }
        await connection.close()
    }

    /// Closes the connection; a later call connects again.
    public func close() async {
        if let current { await current.close() }
        current = nil
    }
}
