import Logging
import NIOCore
import NIOPosix

/// One TCP connection to a Redis server, speaking RESP2, with pipelining: the commands of ``pipeline(_:)`` (and of
/// concurrent callers) are written without waiting for replies, and the replies are matched to them in order.
///
/// Every reply must come within the configuration's command timeout; a connection that times out, closes or
/// receives bytes that are not RESP2 fails all its waiting commands and stays closed (``isActive`` false). An error
/// reply (`-ERR …`) is thrown as ``RedisError/server(command:message:)`` and leaves the connection usable.
///
/// ```swift
/// let connection = try await RedisConnection.connect(to: RedisConfiguration(url: "redis://127.0.0.1:6379"), logger: logger)
/// let replies = try await connection.pipeline((0..<1000).map { RedisCommand("INCR", "counter\($0 % 10)") })
/// await connection.close()
/// ```
public final class RedisConnection: Sendable {
    /// Where it is connected to.
    public let configuration: RedisConfiguration
    private let channel: any Channel
    private let logger: Logger

    private init(configuration: RedisConfiguration, channel: any Channel, logger: Logger) {
        self.configuration = configuration
        self.channel = channel
        self.logger = logger
    }

    /// Connects (within the connect timeout) and selects the configured database.
    ///
    /// - Parameters:
    ///   - group: the event loops to use (default: NIO's shared singleton).
    /// - Throws: ``RedisError/connectTimeout(host:port:after:)``, ``RedisError/connectFailed(host:port:reason:)``, or
    ///   what `SELECT` throws.
    public static func connect(to configuration: RedisConfiguration,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               logger: Logger) async throws -> RedisConnection {
        let timeout = configuration.commandTimeout
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(timeout: timeout))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch ChannelError.connectTimeout {
            throw RedisError.connectTimeout(host: configuration.host, port: configuration.port, after: configuration.connectTimeout)
        } catch {
            throw RedisError.connectFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        let connection = RedisConnection(configuration: configuration, channel: channel, logger: logger)
        logger.debug("Redis connected", metadata: ["redis.server": "\(configuration)"])
        if configuration.database != 0 {
            do {
                _ = try await connection.send(RedisCommand("SELECT", String(configuration.database)))
            } catch {
                await connection.close()
                throw error
            }
        }
        return connection
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Sends one command and returns its reply.
    /// - Throws: ``RedisError/server(command:message:)`` for an error reply; a ``RedisError`` that closes the connection
    ///   for a timeout or a lost connection.
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await pipeline([command])[0]
    }

    /// Writes all `commands` at once (one flush), then returns their replies in order.
    ///
    /// Waits for every reply even when one is an error, so the connection stays in step; then throws the first error
    /// reply as ``RedisError/server(command:message:)``. O(n) for n commands, one round trip. Cancelling the calling
    /// task closes the connection (the command fails with ``RedisError/connectionClosed(reason:)``).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let eventLoop = channel.eventLoop
        let requests = commands.map { RedisCommandHandler.Request(command: $0, promise: eventLoop.makePromise()) }
        let written = eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(requests, promise: written)
        let replies: [RESPValue]
        do {
            // Cancelling the task closes the connection: the replies could no longer be matched to their commands.
            replies = try await withTaskCancellationHandler {
                try await written.futureResult.get()
                var replies: [RESPValue] = []
                replies.reserveCapacity(requests.count)
                for request in requests { replies.append(try await request.promise.futureResult.get()) }
                return replies
            } onCancel: { [channel] in
                channel.close(promise: nil)
            }
        } catch {
            // A write that failed never reached the handler's queue: its promises must still be completed.
            for request in requests { request.promise.fail(error) }
            throw error as? RedisError ?? RedisError.connectionClosed(reason: "\(error)")
        }
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply { throw RedisError.server(command: command.description, message: message) }
        }
        return replies
    }

    /// Closes the connection; waiting commands fail with ``RedisError/connectionClosed(reason:)``.
    public func close() async {
        try? await channel.close()
        logger.debug("Redis connection closed", metadata: ["redis.server": "\(configuration)"])
    }
}
