import Foundation
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

    /// The event in `text/event-stream` framing.
    var framed: String { "id: \(id)\nevent: \(name)\ndata: \(data)\n\n" }
}

/// Fans events out to every open page, and keeps the last ones so a reconnecting page resumes with `Last-Event-ID`.
///
/// Publishing never waits: each subscriber has a bounded buffer that drops its oldest events when the page reads too
/// slowly, so a stuck browser costs memory of at most `subscriberBuffer` events and never slows the collector.
public final class EventHub: Sendable {
    private struct State {
        var nextID = 1
        var recent: [ServerEvent] = []
        var subscribers: [Int: AsyncStream<ServerEvent>.Continuation] = [:]
        var nextSubscriber = 0
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
            for continuation in state.subscribers.values { continuation.yield(event) }
            return event.id
        }
    }

    /// A stream of the events after `lastID` (those still kept), then every new one, until the consumer stops.
    public func subscribe(after lastID: Int?) -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self, bufferingPolicy: .bufferingNewest(subscriberBuffer))
        let key = state.withLock { state in
            if let lastID { for event in state.recent where event.id > lastID { continuation.yield(event) } }
            let key = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[key] = continuation
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
            return Array(state.subscribers.values)
        }
        for continuation in all { continuation.finish() }
    }
}
