import Foundation
import Hummingbird
import Market
import ReportEngine
import Storage

// MARK: - Report scripts as live pages

extension Dashboard {
    /// Query keys of `/api/reports/{name}/page` that are not script params.
    static let scriptPageKeys: Set<String> = ["points"]

    func addScriptPageRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/reports/:name/page") { request, context in
            let name = try context.parameters.require("name")
            let points = try QueryParameters(request).integer("points", in: 10...100_000)
            let values = request.uri.queryParameters.filter { !Self.scriptPageKeys.contains(String($0.key)) }
                .map { (String($0.key), String($0.value)) }
            let catalog = scripts, store = self.store, logger = self.logger, now = self.now
            // Reading and parsing the scripts, the store and the analysis all block: off the event loop.
            let page = try await offload {
                guard let entry = catalog.entry(named: name) else { throw APIError.notFound("no report script named \(name)") }
                guard let script = entry.script else { throw APIError.badRequest("\(name) does not parse: \(entry.error ?? "")") }
                let parameters = try Self.scriptParameters(script, values)
                let runTime = try Self.liveRunTime(script: script, parameters: parameters, store: store) ?? now()
                let report: ExecutedReport
                do {
                    report = try ReportRun(script: script, parameters: parameters, store: store, runTime: runTime, logger: logger).execute()
                } catch let error as ScriptError {
                    throw APIError.badRequest("\(error)")
                }
                return JSONText.encode(ScriptPage(report, params: parameters, points: points))
            }
            return JSONBody.response(text: page)
        }
    }

    /// The script's params with the query's values, checked by the script's own rules (type, min/max, enum values),
    /// and spans and times kept to what the store's arithmetic allows; a bad value is a 400 naming it.
    static func scriptParameters(_ script: ReportScript, _ values: [(String, String)]) throws -> ReportParameters {
        var parameters = script.parameters
        for (name, text) in values where !text.isEmpty {
            do { try parameters.set(name, text: text, source: "query") } catch { throw APIError.badRequest("\(error)") }
            switch parameters[name] {
            case .duration(let span)?:
                guard span.milliseconds > 0, span <= QueryParameters.longestSpan else {
                    throw APIError.badRequest("\(name): expected a span from 1ms to 36500d, got \(text)")
                }
            case .date(let time)?:
                guard QueryParameters.plausibleTimes.contains(time) else { throw APIError.badRequest("\(name): \(text) is outside 1970 … 2100") }
            default:
                break
            }
        }
        return parameters
    }

    /// The end of the window of a live page: a `date` param named `at` when the script has one, else the end of the
    /// newest bar that every symbol of the script's params has (the pair's legs, `symbols`, `pairs`), else of the
    /// newest bar stored at the script's timeframe; nil when nothing is stored.
    static func liveRunTime(script: ReportScript, parameters: ReportParameters, store: any DashboardStore) throws -> Timestamp? {
        if case .date(let at)? = parameters["at"] { return at }
        let timeframe = parameters["timeframe"]?.timeframeValue ?? .oneMinute
        var symbols: [Symbol] = []
        for name in parameters.names {
            switch parameters[name] {
            case .symbol(let s)?: symbols.append(s)
            case .pair(let p)?: symbols += p.symbols
            case .list(let items)?: symbols += items.flatMap { $0.symbolValue.map { [$0] } ?? $0.pairValue?.symbols ?? [] }
            default: break
            }
        }
        if symbols.isEmpty { symbols = try store.symbols() }
        let ends = try symbols.compactMap { try store.lastBar(for: $0, timeframe: timeframe) }.map { $0.openTime + timeframe.span }
        guard !ends.isEmpty else { return nil }
        return ends.count == symbols.count ? ends.min() : ends.max()
    }
}
