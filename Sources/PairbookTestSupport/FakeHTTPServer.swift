import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests of REST clients (Binance's `/fapi/v1/aggTrades`,
/// data.binance.vision downloads): every GET is answered by a handler from its path and query.
///
/// ```swift
/// try await FakeHTTPServer.withServer({ request in .init(status: 200, body: Data("[]".utf8)) }) { server in
///     // GET server.baseURL + "/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=1"
/// }
/// ```
public final class FakeHTTPServer: Sendable {
    /// What the handler sees of a request.
    public struct Request: Sendable {
        /// The path without the query, e.g. `/fapi/v1/aggTrades`.
        public var path: String
        /// Query parameters (last value wins).
        public var query: [String: String]
        /// The raw request URI.
        public var uri: String
        /// Request headers, names lower-cased (last value wins), e.g. `headers["x-mbx-apikey"]`.
        public var headers: [String: String]
    }

    /// The handler's answer.
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var contentType: String
        /// More response headers (`Location`, `Retry-After`, …).
        public var headers: [String: String]

        public init(status: Int = 200, body: Data, contentType: String = "application/json", headers: [String: String] = [:]) {
            self.status = status
            self.body = body
            self.contentType = contentType
            self.headers = headers
        }

        public static let notFound = Response(status: 404, body: Data("not found".utf8), contentType: "text/plain")
    }

    public typealias Handler = @Sendable (Request) -> Response

    private let channel: any Channel
    private let log = Mutex<[String]>([])

    /// The port on 127.0.0.1.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Request URIs received so far, in order.
    public var requests: [String] { log.withLock { $0 } }

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts a server answering with `handler`, runs `body`, then stops the server.
    @discardableResult
    public static func withServer<T: Sendable>(_ handler: @escaping Handler,
                                               _ body: @Sendable (FakeHTTPServer) async throws -> T) async throws -> T {
        let box = Box()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                do {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler, box: box))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = FakeHTTPServer(channel: channel)
        box.server.withLock { $0 = server }
        defer { channel.close(promise: nil) }
        return try await body(server)
    }

    fileprivate func record(_ uri: String) { log.withLock { $0.append(uri) } }

    fileprivate final class Box: Sendable {
        let server = Mutex<FakeHTTPServer?>(nil)
    }

    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let handler: Handler
        let box: Box
        private var head: HTTPRequestHead?

        init(handler: @escaping Handler, box: Box) {
            self.handler = handler
            self.box = box
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body:
                break
            case .end:
                guard let head else { return }
                self.head = nil
                box.server.withLock { $0 }?.record(head.uri)
                let components = URLComponents(string: head.uri)
                var query: [String: String] = [:]
                for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
                var requestHeaders: [String: String] = [:]
                for (name, value) in head.headers { requestHeaders[name.lowercased()] = value }
                let response = handler(Request(path: components?.path ?? head.uri, query: query, uri: head.uri,
                                               headers: requestHeaders))
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: response.contentType)
                headers.add(name: "Content-Length", value: "\(response.body.count)")
                headers.add(name: "Connection", value: "close")
                for (name, value) in response.headers { headers.add(name: name, value: value) }
                let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status),
                                                    headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                // One request per connection: a client's pooled keep-alive connection can never outlive this server and
                // reach another one that later gets the same port (seen as a 30 s read timeout in a loaded test run).
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
