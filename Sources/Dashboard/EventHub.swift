import Foundation
import NIOCore
import Synchronization

/// One Server-Sent Event: an increasing id, a name (`bar`, `analytics`, `alert`, `status`) and JSON data.
public struct ServerEvent: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var data: String
    /// The symbol or pair the event is about (for per-page filtering); `nil` = everyone.
    public var subject: String?
    /// The bar timeframe it is about, if any.
    public var timeframe: String?
    /// The event in `text/event-stream` framing, encoded once for every page that gets it.
    let frame: ByteBuffer

    public init(id: Int, name: String, data: String, subject: String? = nil, timeframe: String? = nil) {
        self.id = id
        self.name = name
        self.data = data
        self.subject = subject
        self.timeframe = timeframe
        frame = ByteBuffer(string: "id: \(id)\nevent: \(name)\ndata: \(data)\n\n")
    }

    /// The event in `text/event-stream` framing.
    var framed: String { String(buffer: frame) }
}

/// Fans events out to every open page, and keeps the last ones so a reconnecting page resumes with `Last-Event-ID`.
///
/// Publishing never waits: each subscriber has a bounded buffer that drops its oldest events when the page reads too
/// slowly, so a stuck browser costs memory of at most `subscriberBuffer` events and never slows the collector. A
/// subscriber gets only the events its filter wants (a page's symbols and timeframe): with 50 pages on a feed of
/// several symbols and timeframes, events no page shows wake no one.
public final class EventHub: Sendable {
    private struct State {
        var nextID = 1
        var recent: [ServerEvent] = []
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriber = 0
    }

    private struct Subscriber {
        var continuation: AsyncStream<ServerEvent>.Continuation
        var wants: @Sendable (ServerEvent) -> Bool
    }

    private let state = Mutex(State())
    private let history: Int
    private let subscriberBuffer: Int

    /// - Parameters:
    ///   - history: events kept for resuming pages.
    ///   - subscriberBuffer: events buffered per page before its oldest are dropped.
    public init(history: Int = 2048, subscriberBuffer: Int = 1024) {
        self.history = history
        self.subscriberBuffer = subscriberBuffer
    }

    /// Sends an event to every subscriber; returns its id.
    @discardableResult
    public func publish(_ name: String, data: String, subject: String? = nil, timeframe: String? = nil) -> Int {
        state.withLock { state in
            let event = ServerEvent(id: state.nextID, name: name, data: data, subject: subject, timeframe: timeframe)
            state.nextID += 1
            state.recent.append(event)
            if state.recent.count > history + history / 4 { state.recent.removeFirst(state.recent.count - history) }
            for subscriber in state.subscribers.values where subscriber.wants(event) { subscriber.continuation.yield(event) }
            return event.id
        }
    }

    /// A stream of the events after `lastID` (those still kept), then every new one, that `wants` lets through,
    /// until the consumer stops.
    public func subscribe(after lastID: Int?, where wants: @escaping @Sendable (ServerEvent) -> Bool = { _ in true }) -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self, bufferingPolicy: .bufferingNewest(subscriberBuffer))
        let key = state.withLock { state in
            if let lastID { for event in state.recent where event.id > lastID && wants(event) { continuation.yield(event) } }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = Subscriber(continuation: continuation, wants: wants)
            return key
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: key) }
        }
        return stream
    }

    /// Open subscriptions (pages on the stream).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every subscription (graceful shutdown).
    public func finishAll() {
        let all = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in all { continuation.finish() }
    }
}
