import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A WebSocket server on 127.0.0.1 that plays a script of Binance stream frames to every connected client.
///
/// The script is one timeline shared by all connections (like the real exchange): a frame sent while no
/// client is connected is lost, and while two are connected (rotation) both get it. Steps can drop every
/// connection, stall until the client reconnects, or wait for clients or a condition. Frames are text, sent as fast as
/// possible or paced at ``framesPerSecond``. Any request path is accepted (`/public/stream?streams=…`);
/// the server records the paths and which frames were written to at least one socket.
///
/// ```swift
/// let frames = try FakeBinanceServer.Capture.frames(["btcusdt_20240718.gz"])
/// try await FakeBinanceServer.withServer(steps: [.waitForClients(1)] + frames.map(FakeBinanceServer.Step.frame)) { server in
///     // connect to server.url, then: try await server.waitUntilFinished()
/// }
/// ```
public final class FakeBinanceServer: Sendable {
    /// One step of the script.
    public enum Step: Sendable {
        /// Send a text frame to every connected client.
        case frame(String)
        /// Close every connection abruptly (no close frame).
        case dropConnections
        /// Send nothing (connections stay open, pings are answered) until a new connection arrives.
        case stallUntilReconnect
        /// Wait until at least `n` clients are connected.
        case waitForClients(Int)
        /// Wait until `condition` holds (polled every 10 ms), e.g. until the test has moved its collector's clock.
        case waitUntil(@Sendable () -> Bool)
        /// Wait a fixed time.
        case pause(Duration)
        /// Send one text message split into frames of at most `pieceSize` bytes (a text frame, then
        /// continuation frames, the last with FIN). Not counted among the delivered frames.
        case fragmented(String, pieceSize: Int)
    }

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var connectionCount = 0
        var paths: [String] = []
        /// Bit `i` set = frame `i` was written to a socket (fixed size: memory does not grow while playing).
        var delivered: [UInt64] = []
        var playedSteps = 0
        var finished = false
    }

    private let state: Mutex<State>
    private let steps: [Step]
    private let serverChannel: any Channel
    /// Pace of frames; `nil` sends as fast as the sockets take them.
    public let framesPerSecond: Double?

    /// The TCP port the server listens on (127.0.0.1).
    public let port: Int

    /// `ws://127.0.0.1:<port>` (append a path such as `/public`).
    public var baseURL: String { "ws://127.0.0.1:\(port)" }

    private init(steps: [Step], framesPerSecond: Double?, serverChannel: any Channel, port: Int) {
        self.steps = steps
        let frameCount = steps.reduce(0) { count, step in if case .frame = step { count + 1 } else { count } }
        self.state = Mutex(State(delivered: [UInt64](repeating: 0, count: (frameCount + 63) / 64)))
        self.framesPerSecond = framesPerSecond
        self.serverChannel = serverChannel
        self.port = port
    }

    /// Starts a server, plays `steps` while `body` runs, and shuts the server down afterwards.
    @discardableResult
    public static func withServer<T: Sendable>(
        steps: [Step], framesPerSecond: Double? = nil,
        _ body: @Sendable (FakeBinanceServer) async throws -> T
    ) async throws -> T {
        let server = try await start(steps: steps, framesPerSecond: framesPerSecond)
        do {
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await server.play()
                    return nil
                }
                let result = try await body(server)
                group.cancelAll()
                return result
            }
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    private static func start(steps: [Step], framesPerSecond: Double?) async throws -> FakeBinanceServer {
        let box = ServerBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 20,
                    shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                    upgradePipelineHandler: { channel, head in
                        guard let server = box.value.withLock({ $0 }) else { return channel.close() }
                        do {
                            try channel.pipeline.syncOperations.addHandler(ClientHandler(server: server))
                        } catch {
                            return channel.eventLoop.makeFailedFuture(error)
                        }
                        server.register(channel, path: head.uri)
                        return channel.eventLoop.makeSucceededVoidFuture()
                    })
                do {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = FakeBinanceServer(steps: steps, framesPerSecond: framesPerSecond, serverChannel: channel,
                                       port: channel.localAddress?.port ?? 0)
        box.value.withLock { $0 = server }
        return server
    }

    private func shutdown() async throws {
        let channels = state.withLock { state in
            defer { state.channels.removeAll() }
            return Array(state.channels.values)
        }
        for channel in channels { try? await channel.close() }
        try? await serverChannel.close()
    }

    // MARK: - Observations

    /// Connections accepted so far.
    public var connectionCount: Int { state.withLock { $0.connectionCount } }
    /// Clients connected now.
    public var connectedClients: Int { state.withLock { $0.channels.count } }
    /// Request paths of the upgrades, in order.
    public var requestedPaths: [String] { state.withLock { $0.paths } }
    /// Indices (into ``frames``) of the frames written to at least one client socket.
    public var deliveredFrameIndices: Set<Int> {
        let words = state.withLock { $0.delivered }
        var indices: Set<Int> = []
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { indices.insert(w * 64 + bit) }
        }
        return indices
    }
    /// How many steps of the script have been played (a step waiting for clients or a condition counts once it passed).
    public var playedSteps: Int { state.withLock { $0.playedSteps } }
    /// Whether the whole script has been played.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// The frames of the script in order (the indices used by ``deliveredFrameIndices``).
    public var frames: [String] {
        steps.compactMap { if case .frame(let text) = $0 { text } else { nil } }
    }

    /// The frames that reached at least one client.
    public var deliveredFrames: [String] {
        let delivered = deliveredFrameIndices
        return frames.enumerated().filter { delivered.contains($0.offset) }.map(\.element)
    }

    /// Waits (polling every 10 ms) until the script has been played, or the timeout passes.
    public func waitUntilFinished(timeout: Duration = .seconds(30)) async throws {
        try await Self.wait(timeout: timeout) { self.isFinished }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes (then throws).
    public static func wait(timeout: Duration, _ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw FakeServerError.timeout }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public enum FakeServerError: Error { case timeout }

    // MARK: - Playing the script

    private func register(_ channel: any Channel, path: String) {
        state.withLock { state in
            state.channels[ObjectIdentifier(channel)] = channel
            state.connectionCount += 1
            state.paths.append(path)
        }
    }

    fileprivate func unregister(_ channel: any Channel) {
        _ = state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    private func play() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var frameIndex = 0
        var pacedFrames = 0
        var pacingStart = start
        var lastWrite: EventLoopFuture<Void>?
        // Frames due now go out together: one hop to each channel's event loop and one flush per burst, not per frame
        // (at 20,000 frames a second a sleep and a flush per frame cost this server most of a core, taken from the
        // collector it feeds on a small machine). A paced frame may leave up to `burst` early.
        let burst = Duration.milliseconds(1)
        var pending: [(index: Int, text: String)] = []
        func send() {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            for channel in state.withLock({ Array($0.channels.values) }) {
                let promises = batch.map { _ in channel.eventLoop.makePromise(of: Void.self) }
                for (frame, promise) in zip(batch, promises) {
                    let index = frame.index
                    promise.futureResult.whenSuccess { self.state.withLock { $0.delivered[index / 64] |= 1 << UInt64(index % 64) } }
                }
                lastWrite = promises.last?.futureResult
                channel.eventLoop.execute {
                    for (frame, promise) in zip(batch, promises) {
                        var buffer = channel.allocator.buffer(capacity: frame.text.utf8.count)
                        buffer.writeString(frame.text)
                        channel.write(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: promise)
                    }
                    channel.flush()
                }
            }
        }
        for step in steps {
            if case .frame = step {} else {
                send()
            }
            switch step {
            case .frame(let text):
                let index = frameIndex
                frameIndex += 1
                if let rate = framesPerSecond {
                    let due = pacingStart + .seconds(Double(pacedFrames) / rate)
                    pacedFrames += 1
                    if clock.now < due - burst {
                        send()
                        try await clock.sleep(until: due)
                    }
                }
                pending.append((index, text))
                if pending.count >= 256 {
                    send()
                    // Back-pressure: let the sockets drain before queueing more.
                    try? await lastWrite?.get()
                    await Task.yield()
                }
            case .dropConnections:
                try? await lastWrite?.get()
                let channels = state.withLock { state in
                    defer { state.channels.removeAll() }
                    return Array(state.channels.values)
                }
                for channel in channels { try? await channel.close() }
            case .stallUntilReconnect:
                try? await lastWrite?.get()
                let seen = connectionCount
                try await Self.wait(timeout: .seconds(60)) { self.connectionCount > seen }
                pacingStart = clock.now
                pacedFrames = 0
            case .waitForClients(let n):
                try await Self.wait(timeout: .seconds(60)) { self.connectedClients >= n }
                pacingStart = clock.now
                pacedFrames = 0
            case .waitUntil(let condition):
                try await Self.wait(timeout: .seconds(120), condition)
                pacingStart = clock.now
                pacedFrames = 0
            case .pause(let duration):
                try await clock.sleep(for: duration)
            case .fragmented(let text, let pieceSize):
                let bytes = Array(text.utf8)
                let starts = Array(stride(from: 0, to: bytes.count, by: max(1, pieceSize)))
                let channels = state.withLock { Array($0.channels.values) }
                for channel in channels {
                    for (i, start) in starts.enumerated() {
                        var buffer = channel.allocator.buffer(capacity: pieceSize)
                        buffer.writeBytes(bytes[start..<min(start + pieceSize, bytes.count)])
                        let frame = WebSocketFrame(fin: i == starts.count - 1, opcode: i == 0 ? .text : .continuation, data: buffer)
                        let promise = channel.eventLoop.makePromise(of: Void.self)
                        channel.writeAndFlush(frame, promise: promise)
                        lastWrite = promise.futureResult
                    }
                }
                try? await lastWrite?.get()
            }
            state.withLock { $0.playedSteps += 1 }
        }
        send()
        try? await lastWrite?.get()
        state.withLock { $0.finished = true }
    }
}

/// Hands the server to connections accepted before `start` returns.
private final class ServerBox: Sendable {
    let value = Mutex<FakeBinanceServer?>(nil)
}

/// Answers pings and close frames of one upgraded connection.
private final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let server: FakeBinanceServer
    private var closing = false

    init(server: FakeBinanceServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.data)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            server.unregister(context.channel)
            guard !closing else {
                context.close(promise: nil)
                return
            }
            closing = true
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.data)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.unregister(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        server.unregister(context.channel)
        context.close(promise: nil)
    }
}

// MARK: - Captures

extension FakeBinanceServer {
    /// The real captures in `../shared/data/binance-usdm-trades-2024-07-18/raw` (read in place).
    public enum Capture {
        /// The `raw/` directory of the capture.
        public static var rawDirectory: URL { SharedData.url("binance-usdm-trades-2024-07-18/raw") }

        /// Lines of a gzip capture file (`<local_ns> <json>`), decompressed with the system `gzip`.
        public static func lines(_ fileName: String) throws -> [Substring] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", rawDirectory.appendingPathComponent(fileName).path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            return text.split(separator: "\n", omittingEmptySubsequences: true)
        }

        /// The JSON frames of one or more capture files, merged in order of local receive time.
        public static func frames(_ fileNames: [String]) throws -> [String] {
            var stamped: [(Int64, String)] = []
            for name in fileNames {
                for line in try lines(name) {
                    guard let space = line.firstIndex(of: " "), let stamp = Int64(line[..<space]) else { continue }
                    stamped.append((stamp, String(line[line.index(after: space)...])))
                }
            }
            // Stable: equal stamps keep file order.
            return stamped.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
        }
    }
}

// MARK: - A server that never answers

extension FakeBinanceServer {
    /// A TCP server on 127.0.0.1 that accepts connections and then says nothing, not even an answer to the
    /// WebSocket upgrade request: the hung handshake a connect timeout must end.
    ///
    /// ```swift
    /// try await FakeBinanceServer.Silent.withServer { server in /* connect to server.baseURL */ }
    /// ```
    public final class Silent: Sendable {
        private let channels = Mutex<[any Channel]>([])
        private let accepted = Mutex(0)
        private let serverChannel = Mutex<(any Channel)?>(nil)

        /// The TCP port on 127.0.0.1.
        public private(set) var port: Int {
            get { serverChannel.withLock { $0?.localAddress?.port ?? 0 } }
            set {}
        }

        /// `ws://127.0.0.1:<port>`.
        public var baseURL: String { "ws://127.0.0.1:\(port)" }
        /// TCP connections accepted so far.
        public var acceptedConnections: Int { accepted.withLock { $0 } }
        /// Accepted connections the client has not closed yet.
        public var openConnections: Int { channels.withLock { $0.filter(\.isActive).count } }

        private init() {}

        /// Starts a silent server, runs `body`, then closes the server and every connection it accepted.
        @discardableResult
        public static func withServer<T: Sendable>(_ body: @Sendable (Silent) async throws -> T) async throws -> T {
            let server = Silent()
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    // No handlers: whatever the client sends is read and dropped, nothing is written.
                    server.accepted.withLock { $0 += 1 }
                    server.channels.withLock { $0.append(channel) }
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                .bind(host: "127.0.0.1", port: 0).get()
            server.serverChannel.withLock { $0 = channel }
            defer {
                for child in server.channels.withLock({ $0 }) { child.close(promise: nil) }
                channel.close(promise: nil)
            }
            return try await body(server)
        }
    }
}
