import Alerts
import Foundation
import Hummingbird
import Logging
import Market
import NIOCore
import ReportEngine

// MARK: - Report scripts: list with params, run now, latest scheduled output

extension Dashboard {
    func addReportRoutes(to routes: RouteCollection<BasicRequestContext>) {
        routes.get("/api/reports") { _, _ in
            let items = try await offload { scripts.entries().map(reportItem) }
            return JSONBody.response(["scripts": items])
        }

        routes.post("/api/reports/:name/run") { request, context in
            let name = try context.parameters.require("name")
            guard let entry = scripts.entry(named: name), entry.script != nil else {
                throw APIError.notFound("no report script named \(name)")
            }
            let input = try Self.decodeRunRequest(try await body(of: request))
            let job = ReportJob(scriptPath: entry.path, assignments: input.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                                at: input.at, outputRoot: onDemandOutput, formats: [.html, .pdf, .csv])
            let store = self.store, logger = self.logger
            let result: ReportJob.Result
            do {
                result = try await offload { try job.run(store: store, logger: logger) }
            } catch {
                throw APIError.badRequest("\(error)")
            }
            let files = result.files.map { URL(fileURLWithPath: $0).lastPathComponent }
            let base = filesURL(result.folder)
            return JSONBody.response(RunBody(
                html: files.contains("report.html") ? base + "/report.html" : nil,
                pdf: files.contains("report.pdf") ? base + "/report.pdf" : nil,
                files: files.map { base + "/" + $0 }, summary: result.summaryLine,
                findings: result.report.findings.count, firing: result.report.findings.filter { $0.state == .firing }.count))
        }
    }

    /// `/files/…` URL of a folder under the output folder.
    func filesURL(_ folder: String) -> String {
        let root = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL.path
        let path = URL(fileURLWithPath: folder).standardizedFileURL.path
        let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : URL(fileURLWithPath: path).lastPathComponent
        return "/files/" + relative
    }

    private func reportItem(_ entry: ScriptCatalog.Entry) -> ReportItem {
        guard let script = entry.script else {
            return ReportItem(name: entry.name, title: entry.name, schedule: nil, params: [], latest: nil, error: entry.error)
        }
        // The scheduler's newest run; where nothing is scheduled (`pairbook serve` over reports made on demand), the
        // newest on-demand run.
        var latest: ReportItem.Latest?
        for relative in ["\(script.name)/scheduled/latest", "\(script.name)/latest"] where latest == nil {
            let folder = configuration.outputDirectory + "/" + relative
            if let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/report.html"),
               let modified = attributes[.modificationDate] as? Date {
                let pdf = FileManager.default.fileExists(atPath: folder + "/report.pdf")
                latest = .init(html: "/files/\(relative)/report.html", pdf: pdf ? "/files/\(relative)/report.pdf" : nil,
                               time: Int64(modified.timeIntervalSince1970 * 1000))
            }
        }
        return ReportItem(
            name: script.name, title: script.title, schedule: script.schedule.map { "\($0)" },
            params: script.parameters.declarations.map(ParamItem.init), latest: latest, error: nil)
    }

    static func decodeRunRequest(_ data: Data) throws -> RunRequest {
        if data.isEmpty { return RunRequest(params: [:], at: nil) }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("expected a JSON object {\"params\": {...}}")
        }
        var params: [String: String] = [:]
        for (key, value) in (object["params"] as? [String: Any]) ?? [:] {
            switch value {
            case let text as String: params[key] = text
            case let number as NSNumber: params[key] = number.stringValue
            case let list as [Any]: params[key] = list.map { "\($0)" }.joined(separator: ",")
            default: throw APIError.badRequest("params.\(key): expected text, a number or a list")
            }
        }
        var at: Timestamp?
        if let text = object["at"] as? String {
            do { at = try Timestamp(parsing: text) } catch { throw APIError.badRequest("at: \(error)") }
        }
        return RunRequest(params: params, at: at)
    }
}

struct RunRequest {
    var params: [String: String]
    var at: Timestamp?
}

struct RunBody: Encodable {
    var html: String?
    var pdf: String?
    var files: [String]
    var summary: String
    var findings: Int
    var firing: Int
}

struct ReportItem: Encodable {
    struct Latest: Encodable {
        var html: String
        var pdf: String?
        var time: Int64
    }
    var name: String
    var title: String
    var schedule: String?
    var params: [ParamItem]
    var latest: Latest?
    var error: String?
}

/// A script parameter as a form control: its type, default, bounds and choices.
struct ParamItem: Encodable {
    var name: String
    var type: String
    var element: String?
    var `default`: String
    var min: Double?
    var max: Double?
    var values: [String]?
    var description: String?

    init(_ d: ParamDeclaration) {
        name = d.name
        `default` = d.defaultValue.description
        description = d.help
        switch d.type {
        case .int(let lo, let hi): type = "int"; min = lo.map(Double.init); max = hi.map(Double.init)
        case .float(let lo, let hi): type = "float"; min = lo; max = hi
        case .enumeration(let words): type = "enum"; values = words
        case .list(let inner): type = "list"; element = "\(inner)"
        default: type = "\(d.type)"
        }
    }
}
