import HTTPTypes
import Hummingbird
import Market

// MARK: - Server-Sent Events

extension Dashboard {
    func addEventRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/events") { request, _ in
            let query = QueryParameters(request)
            let symbols = try query["symbols"].map { _ in Set(try query.symbols().map(\.name)) }
            let timeframe = try query["timeframe"].map { _ in try query.timeframe().description }
            let lastID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) }
                ?? query["last_event_id"].flatMap { Int($0) }
            let stream = hub.subscribe(after: lastID) { Self.wants($0, symbols: symbols, timeframe: timeframe) }
            let body = ResponseBody { writer in
                // Tell the browser how long to wait before reconnecting, then stream until the page goes away or the
                // server shuts down (the hub ends every stream).
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
                for await event in stream { try await writer.write(event.frame) }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
                body: body)
        }
    }

    /// Bar events only for the page's symbols and timeframe; everything else for every page.
    static func wants(_ event: ServerEvent, symbols: Set<String>?, timeframe: String?) -> Bool {
        guard event.name == "bar" else { return true }
        if let symbols, let subject = event.subject, !symbols.contains(subject) { return false }
        if let timeframe, let tf = event.timeframe, tf != timeframe { return false }
        return true
    }
}
