import Foundation
import Market
import NIOCore
import NIOSSL

/// Which Binance event stream to record.
public enum StreamKind: String, Sendable, CaseIterable, Codable {
    /// `<symbol>@trade`: every trade, served under `/public` since Binance's 2026 host split.
    case trade
    /// `<symbol>@aggTrade`: trades aggregated per 100 ms, price and side, served under `/market`.
    case aggTrade

    /// The endpoint path that serves this stream (`/public` or `/market`).
    public var defaultPath: String {
        switch self {
        case .trade: "/public"
        case .aggTrade: "/market"
        }
    }

    /// The stream name for a symbol, e.g. `btcusdt@trade`.
    public func streamName(for symbol: Symbol) -> String { "\(symbol.streamName)@\(rawValue)" }
}

/// Everything a ``BinanceStream`` needs: symbols, endpoint, TLS and the resilience timings.
public struct BinanceStreamConfiguration: Sendable {
    /// Binance's production USD-M futures WebSocket host.
    public static let productionBaseURL = "wss://fstream.binance.com"

    /// Symbols to record (each on exactly one connection).
    public var symbols: [Symbol]
    public var kind: StreamKind
    /// `scheme://host[:port][/path]`. Without a path, the kind's ``StreamKind/defaultPath`` is appended.
    public var endpoint: String
    /// Streams per connection (Binance allows 1024 at most, documents 200; stay below).
    public var maximumStreamsPerConnection: Int
    /// A symbol silent this long on an open connection is a failure (reconnect).
    public var watchdogTimeout: Duration
    public var reconnect: ReconnectPolicy
    public var rotation: RotationPolicy
    /// TLS for `wss://` (see ``tlsConfiguration(insecure:caFile:)``); ignored for `ws://`.
    public var tls: TLSConfiguration
    /// Largest accepted WebSocket frame (REST-style depth snapshots can exceed 40 kB).
    public var maximumFrameSize: Int
    /// Largest accepted message, its fragments reassembled. A longer one is dropped as it arrives (its
    /// remaining fragments skipped) and counted as malformed; the connection stays up.
    public var maximumMessageSize: Int
    /// How long a close handshake may take before the socket is dropped.
    public var closeTimeout: Duration
    /// How long connecting (TCP, TLS, WebSocket upgrade) may take before the attempt is abandoned (logged) and
    /// retried with backoff. A server that accepts TCP but never answers the upgrade is covered too: the attempt's
    /// socket is closed by shutting down its own event loop `closeTimeout` + 200 ms later (swift-websocket 1.6.2
    /// waits for the upgrade on a future that ignores task cancellation).
    public var connectTimeout: Duration

    public init(symbols: [Symbol], kind: StreamKind = .trade, endpoint: String? = nil,
                maximumStreamsPerConnection: Int = 200, watchdogTimeout: Duration = .seconds(30),
                reconnect: ReconnectPolicy = ReconnectPolicy(), rotation: RotationPolicy = RotationPolicy(),
                tls: TLSConfiguration? = nil, maximumFrameSize: Int = 1 << 20, maximumMessageSize: Int = 1 << 20,
                closeTimeout: Duration = .seconds(1), connectTimeout: Duration = .seconds(20)) {
        precondition(maximumStreamsPerConnection > 0 && watchdogTimeout > .zero && maximumMessageSize > 0)
        self.symbols = symbols
        self.kind = kind
        self.endpoint = endpoint ?? Self.productionBaseURL
        self.maximumStreamsPerConnection = maximumStreamsPerConnection
        self.watchdogTimeout = watchdogTimeout
        self.reconnect = reconnect
        self.rotation = rotation
        self.tls = tls ?? Self.defaultTLS()
        self.maximumFrameSize = maximumFrameSize
        self.maximumMessageSize = maximumMessageSize
        self.closeTimeout = closeTimeout
        self.connectTimeout = connectTimeout
    }

    /// Symbols grouped per connection, in the given order.
    public var shards: [[Symbol]] {
        stride(from: 0, to: symbols.count, by: maximumStreamsPerConnection).map {
            Array(symbols[$0..<min($0 + maximumStreamsPerConnection, symbols.count)])
        }
    }

    /// The combined-stream URL for one connection, e.g.
    /// `wss://fstream.binance.com/public/stream?streams=btcusdt@trade/ethusdt@trade`.
    public func url(for symbols: [Symbol]) -> String {
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        if let schemeEnd = base.range(of: "://") {
            let afterScheme = base[schemeEnd.upperBound...]
            if !afterScheme.contains("/") { base += kind.defaultPath }
        }
        return base + "/stream?streams=" + symbols.map { kind.streamName(for: $0) }.joined(separator: "/")
    }

    /// How often the supervisor checks watchdogs, rotation and reconnect deadlines.
    var checkInterval: Duration {
        max(.milliseconds(10), min(.milliseconds(250), watchdogTimeout / 4, reconnect.initialDelay / 2))
    }

    /// Client TLS with certificate verification against the system roots and a 200 ms close-notify wait
    /// (NIOSSL's default 5 s would stall every reconnect and the 2-second shutdown budget).
    public static func defaultTLS() -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.shutdownTimeout = .milliseconds(200)
        return tls
    }

    /// TLS for test servers: `insecure` skips certificate verification; `caFile` (PEM) replaces the trusted roots.
    ///
    /// - Throws: NIOSSL's error when the CA file cannot be read.
    public static func tlsConfiguration(insecure: Bool, caFile: String?) throws -> TLSConfiguration {
        var tls = defaultTLS()
        if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        if insecure { tls.certificateVerification = .none }
        return tls
    }
}
