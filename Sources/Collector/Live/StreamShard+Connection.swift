import Logging
import Market
import NIOCore
import NIOPosix
import WSClient

// MARK: - One connection

extension StreamShard {
    /// Runs connection `id` until it ends or the shard asks it to close, then reports `.closed` with the reason.
    func runConnection(id: Int, url: String, control: ConnectionControl, events: AsyncStream<Event>.Continuation) async {
        let wsConfiguration = {
            var configuration = WebSocketClientConfiguration(
                maxFrameSize: configuration.maximumFrameSize, closeTimeout: configuration.closeTimeout, autoPing: .disabled)
            configuration.ignoreUncleanSSLShutdownErrors = true
            return configuration
        }()
        let wsLogger = {
            var logger = logger
            logger[metadataKey: "stream.connection"] = "\(id)"
            return logger
        }()
        let tls = configuration.tls
        // The connection's own event loop (one thread): shutting it down closes the socket whatever state the
        // connection is in. swift-websocket 1.6.2 waits for the HTTP upgrade on an EventLoopFuture, which ignores task
        // cancellation, so a server that accepts TCP but never answers would otherwise hold this task forever.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let reason: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    let close = try await WebSocketClient.connect(
                        url: url, configuration: wsConfiguration, tlsConfiguration: tls, eventLoopGroup: loop, logger: wsLogger
                    ) { inbound, _, _ in
                        events.yield(.opened(id))
                        try await read(inbound, connection: id, events: events)
                    }
                    if let close { return "server closed (\(close.closeCode))" }
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                await control.waitForCloseRequest()
                return Task.isCancelled ? "shutdown" : "closed by collector"
            }
            let first = await group.next() ?? nil
            // Cancelling ends an open WebSocket (close handshake within `closeTimeout`); a connect still waiting for
            // its upgrade is ended by closing its event loop once that time has passed.
            let grace = configuration.closeTimeout + .milliseconds(200)
            let graceNanoseconds = grace.components.seconds * 1_000_000_000 + grace.components.attoseconds / 1_000_000_000
            let forceClose = loop.next().scheduleTask(in: .nanoseconds(graceNanoseconds)) {
                loop.shutdownGracefully { _ in }
            }
            group.cancelAll()
            await group.waitForAll()
            forceClose.cancel()
            return first
        }
        try? await loop.shutdownGracefully()
        events.yield(.closed(id, reason))
    }

    /// Decodes frames until the connection ends; every trade goes through the gap detector.
    func read(_ inbound: WebSocketInboundStream, connection id: Int, events: AsyncStream<Event>.Continuation) async throws {
        var decoder = BinanceMessageDecoder(wallClock: stream.now)
        var fragments: ByteBuffer?
        /// Skipping the continuation frames of a message already over the size limit.
        var skippingOversized = false
        var receiving = false
        let stats = stream.stats
        let maximumSize = configuration.maximumMessageSize
        for try await frame in inbound {
            let receivedAt = ContinuousClock.now
            var data: ByteBuffer
            switch frame.opcode {
            case .text, .binary:
                fragments = nil
                skippingOversized = false
                guard frame.data.readableBytes <= maximumSize else {
                    skippingOversized = !frame.fin
                    countOversized(frame.data.readableBytes, connection: id)
                    continue
                }
                if !frame.fin {
                    fragments = frame.data
                    continue
                }
                data = frame.data
            case .continuation:
                if skippingOversized {
                    if frame.fin { skippingOversized = false }
                    continue
                }
                guard var partial = fragments else { continue }
                // The whole message is capped, not each frame: a peer could send continuations forever.
                guard frame.data.readableBytes <= maximumSize - partial.readableBytes else {
                    fragments = nil
                    skippingOversized = !frame.fin
                    countOversized(partial.readableBytes + frame.data.readableBytes, connection: id)
                    continue
                }
                var piece = frame.data
                partial.writeBuffer(&piece)
                if !frame.fin {
                    fragments = partial
                    continue
                }
                fragments = nil
                data = partial
            }
            if !receiving {
                receiving = true
                events.yield(.receiving(id))
            }
            let result: Result<BinanceMessage, BinanceMessageError> = data.withUnsafeReadableBytes { bytes in
                Result { () throws(BinanceMessageError) -> BinanceMessage in try decoder.decode(bytes) }
            }
            switch result {
            case .failure(let error):
                let count = stats.update { s -> Int in
                    s.frames += 1
                    s.malformed += 1
                    return s.malformed
                }
                if Self.isLogWorthy(count) {
                    logger.warning("malformed frame skipped", metadata: [
                        "stream.connection": "\(id)", "error": "\(error)", "stream.malformed_total": "\(count)",
                        "sample": "\(String(decoding: data.readableBytesView.prefix(200), as: UTF8.self))",
                    ])
                }
            case .success(.ignored(let kind)):
                stats.update { s in
                    s.frames += 1
                    s.ignored[kind, default: 0] += 1
                }
                if kind == .unknown {
                    let count = stats.update { $0.ignored[.unknown, default: 0] }
                    if Self.isLogWorthy(count) {
                        logger.info("unknown frame skipped", metadata: [
                            "sample": "\(String(decoding: data.readableBytesView.prefix(200), as: UTF8.self))",
                        ])
                    }
                }
            case .success(.nonMarketTrade(let symbol, let tradeID, let time)):
                stats.update { s in
                    s.frames += 1
                    s.nonMarketTrades += 1
                }
                await accept(Trade(symbol: symbol, tradeID: tradeID, time: time, tick: nil, receivedAt: receivedAt),
                             heardAt: clock.now, connection: id)
            case .success(.trade(let tick)):
                stats.update { $0.frames += 1 }
                await accept(Trade(symbol: tick.symbol, tradeID: tick.tradeID, time: tick.timestamp, tick: tick, receivedAt: receivedAt),
                             heardAt: clock.now, connection: id)
            }
        }
    }

    /// Counts a message dropped for its size as malformed (logged at the 1st, 10th, 100th, … time).
    private func countOversized(_ bytes: Int, connection id: Int) {
        let count = stream.stats.update { s -> Int in
            s.frames += 1
            s.malformed += 1
            return s.malformed
        }
        if Self.isLogWorthy(count) {
            logger.warning("oversized message skipped", metadata: [
                "stream.connection": "\(id)", "stream.message_bytes": "at least \(bytes)",
                "stream.maximum_message_bytes": "\(configuration.maximumMessageSize)", "stream.malformed_total": "\(count)",
            ])
        }
    }

    /// 1st, 10th, 100th, … occurrence: a sample is logged without flooding the log.
    static func isLogWorthy(_ count: Int) -> Bool {
        var n = count
        while n >= 10, n % 10 == 0 { n /= 10 }
        return n == 1
    }
}
