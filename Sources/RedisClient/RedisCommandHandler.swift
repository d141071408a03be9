import NIOCore

/// The channel handler under ``RedisConnection``: writes batches of commands (one buffer and one flush per batch, so
/// pipelined commands leave together) and completes their promises with the replies in order.
///
/// A reply must arrive within `timeout` of its command being written, or of the reply before it, whichever is later;
/// otherwise every waiting command fails with ``RedisError/commandTimeout(command:after:)`` and the channel closes
/// (replies that came later could no longer be matched). A closed channel fails every waiting command.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = [Request]
    typealias OutboundOut = ByteBuffer

    /// One command and where its reply goes.
    struct Request: Sendable {
        var command: RedisCommand
        var promise: EventLoopPromise<RESPValue>
    }

    private var waiting = CircularBuffer<Request>()
    private var timer: Scheduled<Void>?
    private let timeout: Duration

    init(timeout: Duration) { self.timeout = timeout }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let requests = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64 * requests.count)
        for request in requests { buffer.writeRESP(request.command) }
        waiting.append(contentsOf: requests)
        if timer == nil { armTimer(context: context) }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard let request = waiting.popFirst() else {
            failAll(RedisError.protocolViolation("a reply without a command: \(reply)"), context: context)
            return
        }
        timer?.cancel()
        timer = nil
        if !waiting.isEmpty { armTimer(context: context) }
        request.promise.succeed(reply)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        fail(RedisError.connectionClosed(reason: "closed by the server or the network"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? RedisError ?? RedisError.connectionClosed(reason: "\(error)"), context: context)
    }

    private func armTimer(context: ChannelHandlerContext) {
        let timeout = self.timeout
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.value.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let handler = handler.value
            handler.timer = nil
            let command = handler.waiting.first?.command.description ?? "a command"
            handler.failAll(RedisError.commandTimeout(command: command, after: timeout), context: context.value)
        }
    }

    /// Fails every waiting command with `error` and closes the channel.
    private func failAll(_ error: RedisError, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: RedisError) {
        while let request = waiting.popFirst() { request.promise.fail(error) }
    }
}
