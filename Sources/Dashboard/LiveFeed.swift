import Foundation
import Logging
import Market
import NIOPosix
import ReportEngine
import ServiceLifecycle
import Storage

/// Follows the newest bars in the store and publishes them on the ``EventHub``: the forming bar as it changes, each
/// closed bar once, and the symbols' status cards every few seconds.
///
/// It reads the database, not the collector, so it works the same over a file that `pairbook run` fills in this
/// process and over one that a collector elsewhere fills. One read of every (symbol, timeframe)'s newest bar per
/// `interval` (100 ms: a trade committed by a collector elsewhere reaches the page about 50 ms later on average),
/// and, when a collector in this process rings `signal` after its commits, right after each commit — but never two
/// reads closer than `minimumInterval` (50 ms: at most 20 updates a second per chart however often the collector
/// commits; at 20,000 trades a second with 50 pages open, 50 updates a second cost the collector's process a fifth of
/// a core in event-stream writes, for motion no one sees).
public struct LiveFeed: Service {
    /// A bar that has just closed (a newer one opened).
    public struct ClosedBar: Sendable, Hashable {
        public var symbol: Symbol
        public var timeframe: Timeframe
        public var bar: Bar
    }

    private let store: any DashboardStore
    private let hub: EventHub
    private let timeframes: [Timeframe]
    private let collector: @Sendable () -> CollectorView?
    private let interval: Duration
    private let minimumInterval: Duration
    private let signal: FeedSignal
    private let statusInterval: Duration
    private let now: @Sendable () -> Timestamp
    private let onBarsClosed: @Sendable ([ClosedBar]) async -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - timeframes: the timeframes followed.
    ///   - collector: the view of a collector in this process, if any.
    ///   - signal: rung by a collector in this process after each commit (none: polls every `interval` only).
    ///   - onBarsClosed: called after each poll that saw bars close (live alerts, analytics).
    public init(store: any DashboardStore, hub: EventHub, timeframes: [Timeframe], collector: @escaping @Sendable () -> CollectorView? = { nil },
                signal: FeedSignal = FeedSignal(), interval: Duration = .milliseconds(100),
                minimumInterval: Duration = .milliseconds(50), statusInterval: Duration = .seconds(2),
                now: @escaping @Sendable () -> Timestamp = Timestamp.now,
                onBarsClosed: @escaping @Sendable ([ClosedBar]) async -> Void = { _ in }, logger: Logger) {
        self.store = store
        self.hub = hub
        self.timeframes = timeframes
        self.collector = collector
        self.interval = interval
        self.minimumInterval = minimumInterval
        self.signal = signal
        self.statusInterval = statusInterval
        self.now = now
        self.onBarsClosed = onBarsClosed
        self.logger = logger
    }

    public func run() async throws {
        var state = FeedState()
        var symbols: [Symbol] = []
        var symbolsReadAt = ContinuousClock.now - .seconds(3600)
        var statusAt = ContinuousClock.now
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let readAt = ContinuousClock.now
            do {
                if ContinuousClock.now - symbolsReadAt >= .seconds(5) {
                    symbols = try await store.symbolsWithBars()
                    symbolsReadAt = .now
                }
                let newest = try await store.lastBars(of: symbols, timeframes: timeframes)
                let closed = try await publish(newest, state: &state)
                if !closed.isEmpty { await onBarsClosed(closed) }
                if ContinuousClock.now - statusAt >= statusInterval {
                    statusAt = .now
                    // Its reads block (SQLite, or PostgreSQL through its blocking bridge): on NIO's thread pool.
                    let listed = symbols
                    try await NIOThreadPool.singleton.runIfActive { try self.publishStatus(listed) }
                }
                if failing {
                    logger.notice("live feed reads the database again")
                    failing = false
                }
            } catch {
                if !failing { logger.warning("live feed cannot read the database", metadata: ["error": "\(error)"]) }
                failing = true
            }
            do {
                try await cancelWhenGracefulShutdown {
                    await signal.wait(timeout: max(.zero, interval - (ContinuousClock.now - readAt)))
                    try await Task.sleep(until: readAt + minimumInterval, clock: .continuous)
                }
            } catch {
                break
            }
        }
        hub.finishAll()
    }

    /// What the feed last published per (symbol, timeframe).
    struct FeedState {
        var last: [String: Bar] = [:]
    }

    private func publish(_ newest: [(symbol: Symbol, timeframe: Timeframe, bar: Bar)], state: inout FeedState) async throws -> [ClosedBar] {
        var closed: [ClosedBar] = []
        for (symbol, timeframe, bar) in newest {
            let key = "\(symbol.name) \(timeframe)"
            guard let previous = state.last[key] else {
                state.last[key] = bar  // first sight: the page loads history from /api/bars
                continue
            }
            if bar == previous { continue }
            if bar.openTime > previous.openTime {
                // The previous bar is final now: publish it as stored (trades may have landed since the last poll).
                let final = try await store.barsWithoutBlocking(for: symbol, timeframe: timeframe, in: TimeRange(start: previous.openTime, end: previous.openTime + timeframe.span)).bars.last ?? previous
                hub.publish("bar", data: BarEvent(symbol, timeframe, final, closed: true).json, subject: symbol.name, timeframe: timeframe.description)
                closed.append(ClosedBar(symbol: symbol, timeframe: timeframe, bar: final))
            }
            state.last[key] = bar
            hub.publish("bar", data: BarEvent(symbol, timeframe, bar, closed: false).json, subject: symbol.name, timeframe: timeframe.description)
        }
        return closed
    }

    private func publishStatus(_ symbols: [Symbol]) throws {
        guard hub.subscriberCount > 0 else { return }
        let at = now()
        let view = collector()
        let items = try symbols.map { try OverviewItem.read($0, store: store, collector: view, now: at) }
        hub.publish("status", data: JSONText.encode(OverviewBody(now: at.milliseconds, symbols: items)))
    }
}

/// The `bar` event's data.
struct BarEvent: Codable {
    var symbol: String
    var timeframe: String
    var t: Int64
    var o: Double
    var h: Double
    var l: Double
    var c: Double
    var v: Double
    var closed: Bool

    init(_ symbol: Symbol, _ timeframe: Timeframe, _ bar: Bar, closed: Bool) {
        self.symbol = symbol.name
        self.timeframe = timeframe.description
        t = bar.openTime.milliseconds
        o = bar.open
        h = bar.high
        l = bar.low
        c = bar.close
        v = bar.volume
        self.closed = closed
    }

    var json: String { JSONText.encode(self) }
}

/// Compact JSON text of a value (sorted keys); `{}` if it cannot be encoded.
enum JSONText {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
