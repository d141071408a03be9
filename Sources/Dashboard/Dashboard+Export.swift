import Analytics
import Foundation
import Hummingbird
import Market
import ReportEngine
import Storage

// MARK: - CSV downloads: the bytes of `pairbook export` and `pairbook analyze --format csv`

extension Dashboard {
    func addExportRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/export/bars.csv") { request, _ in
            let query = QueryParameters(request)
            let symbol = try query.symbol()
            let timeframe = try query.timeframe()
            let text = try await offload {
                let range = try exportRange(query, of: "\(timeframe) bars of \(symbol)") {
                    try store.lastBar(for: symbol, timeframe: timeframe).map { $0.openTime + timeframe.span }
                }
                return try Self.csv { try $0.bars(of: symbol, timeframe: timeframe, in: range, store: store) }
            }
            return Self.download(text, name: "\(symbol.name)-\(timeframe)-bars.csv")
        }

        routes.get("/api/export/ticks.csv") { request, _ in
            let query = QueryParameters(request)
            let symbol = try query.symbol()
            let text = try await offload {
                let range = try exportRange(query, of: "trades of \(symbol)") {
                    try store.lastTicks(of: [symbol])[symbol].map { $0.timestamp + TimeSpan(milliseconds: 1) }
                }
                return try Self.csv { try $0.ticks(of: symbol, in: range, store: store) }
            }
            return Self.download(text, name: "\(symbol.name)-ticks.csv")
        }

        routes.get("/api/export/analytics.csv") { request, _ in
            let query = QueryParameters(request)
            let pair = try query.pair()
            let text = try await offload { CSVExport.analytics(try analyse(pairQuestion(query))) }
            return Self.download(text, name: "\(pair.base.name)-\(pair.quote.name)-analytics.csv")
        }

        routes.get("/api/export/findings.csv") { request, _ in
            let query = QueryParameters(request)
            let subject = try query["pair"].map { _ in try query.pair().description } ?? query["symbol"]
            let text = try await offload {
                let range = try exportRange(query, of: "alert transitions") { now() }
                let events = try store.alertEvents(in: range).filter { subject == nil || $0.symbolPair == subject }
                return try Self.csv { out in
                    out.row(["time", "rule", "subject", "metric", "state", "value", "threshold", "report_run"])
                    for e in events {
                        out.row([e.time.iso8601(), e.rule, e.symbolPair, e.metric, e.state, e.value.map { "\($0)" } ?? "",
                                 "\(e.threshold)", e.reportRun.map { "\($0)" } ?? ""])
                    }
                }
            }
            return Self.download(text, name: "findings.csv")
        }
    }

    /// The export window: `from`/`to` or `lookback`; with neither, everything stored (as `pairbook export`).
    private func exportRange(_ query: QueryParameters, of what: String, end: () throws -> Timestamp?) throws -> TimeRange {
        if query["from"] == nil, query["to"] == nil, query["lookback"] == nil { return .all }
        return try query.range(of: what, end: end)
    }

    private static func csv(_ body: (inout CSVExport) throws -> Void) throws -> String {
        var text = ""
        var out = CSVExport { text += $0 }
        try body(&out)
        try out.finish()
        return text
    }

    static func download(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
