import Alerts
import Foundation
import Logging
import Market
import Storage
import Synchronization

/// One complete `pairbook report` run: parse, apply parameters, execute, render each format, write the files,
/// record the run in `report_runs` and the alert transitions in `alert_events`.
///
/// ```swift
/// let job = ReportJob(scriptPath: "Reports/pair-overview.md", assignments: ["window=120"], at: at)
/// let result = try job.run(store: store, logger: logger)
/// print(result.folder)
/// ```
public struct ReportJob: Sendable {
    /// The report script.
    public var scriptPath: String
    /// `-p key=value` arguments, applied after the params file.
    public var assignments: [String]
    /// `--params FILE.yaml`.
    public var paramsFile: String?
    /// `--at TIME`; nil = the schedule slot or now.
    public var at: Timestamp?
    /// `--out DIR` (default `output`).
    public var outputRoot: String
    /// `--format`; nil = the script's `formats`.
    public var formats: [ReportFormat]?
    /// Templates folder; nil = ``TemplateSet/locate(explicit:)``.
    public var templatesDirectory: String?
    /// A scheduled run writes into the scheduler's own folder; any other run is on demand (see ``OutputLayout``).
    public var scheduled: Bool
    /// The worker a scheduled run claims its slot for (``Storage/Store/claimReportSlot(_:script:params:startedAt:worker:staleAfter:)``),
    /// so that several workers on one database make each slot once; nil = no claim (on-demand runs).
    public var worker: LeaseHolder?

    /// How long a claimed slot may stay `running` before another worker takes it over (its worker died elsewhere).
    public static let claimStaleAfter = TimeSpan.hours(1)

    /// Describes a run; nothing happens until ``run(store:now:logger:progress:)``.
    public init(scriptPath: String, assignments: [String] = [], paramsFile: String? = nil, at: Timestamp? = nil,
                outputRoot: String = "output", formats: [ReportFormat]? = nil, templatesDirectory: String? = nil,
                scheduled: Bool = false) {
        self.scheduled = scheduled
        self.scriptPath = scriptPath
        self.assignments = assignments
        self.paramsFile = paramsFile
        self.at = at
        self.outputRoot = outputRoot
        self.formats = formats
        self.templatesDirectory = templatesDirectory
    }

    /// What a run produced.
    public struct Result: Sendable {
        /// The executed report (findings, analyses, sections).
        public var report: ExecutedReport
        /// Written files in the run folder.
        public var files: [String]
        /// The run folder and its `latest` twin.
        public var folder: String
        /// The `latest` copy of the run folder.
        public var latestFolder: String
        /// `report_runs.id`.
        public var runID: Int64
        /// Alert transitions newly stored.
        public var newAlertEvents: Int
        /// The script's `on_trigger` command, for the caller to run when ``hasFiringAlerts``.
        public var onTrigger: String?
        /// Where the run was written (for ``OutputLayout/removeRuns(before:)``).
        public var layout: OutputLayout

        /// `pair-overview: 3 findings (1 firing) · html, pdf, 3 csv → output/pair-overview/20240101T120000Z`
        public var summaryLine: String {
            let firing = report.findings.filter { $0.state == .firing }.count
            let names = files.map { URL(fileURLWithPath: $0).lastPathComponent }
            return "\(report.name): \(report.findings.count) findings (\(firing) firing, \(report.attentionFindings.count) need attention) · "
                + "\(names.joined(separator: ", ")) → \(folder)"
        }

        /// The written paths as a JSON array (the `report_runs.outputs` column).
        public var outputsJSON: String { Self.json(files) }

        static func json(_ files: [String]) -> String { "[" + files.map(JSONText.quote).joined(separator: ",") + "]" }

        /// Whether any finding is firing (for `--fail-on-alert`).
        public var hasFiringAlerts: Bool { report.findings.contains { $0.state == .firing } }
    }

    /// Runs the job against `store`.
    ///
    /// - Parameters:
    ///   - now: the wall-clock time (default: the system clock), used only when neither `at` nor a schedule fixes the run time, and for `report_runs`.
    /// - Throws: ``ScriptError`` for script, parameter and output problems; ``StoreError``; chart errors. A failed run is still
    ///   recorded in `report_runs` with status `failed` once the script has parsed.
    public func run(store: any ReportStore, now: Timestamp? = nil, logger: Logger,
                    progress: ProgressHandler? = nil) throws -> Result {
        let now = now ?? .wallClockNow
        let script = try ReportScript(contentsOf: scriptPath)
        var parameters = script.parameters
        if let paramsFile { try parameters.apply(paramsFile: paramsFile) }
        try parameters.apply(assignments: assignments)
        let runTime = ReportRun.runTime(at: at, schedule: script.schedule, now: now)
        let formats = self.formats ?? script.formats
        let layout = try OutputLayout(root: outputRoot, reportName: script.name, runTime: runTime,
                                      kind: scheduled ? .scheduled : .onDemand)

        let runID: Int64
        if let worker {
            let slot = "\(script.name) \(runTime.iso8601(.seconds))"
            guard let claimed = try store.claimReportSlot(slot, script: scriptPath, params: parameters.json, startedAt: now,
                                                          worker: worker, staleAfter: Self.claimStaleAfter) else {
                throw SlotTaken(slot: slot)
            }
            runID = claimed
        } else {
            runID = try store.beginReportRun(script: scriptPath, params: parameters.json, startedAt: now)
        }
        logger.info("Report run started", metadata: ["report.name": "\(script.name)", "report.run_id": "\(runID)",
                                                      "report.run_time": "\(runTime.iso8601(.seconds))"])
        do {
            let run = ReportRun(script: script, parameters: parameters, store: store, runTime: runTime, logger: logger, progress: progress)
            let report = try run.execute()
            let files = try Self.render(report, formats: formats, templatesDirectory: templatesDirectory, progress: progress)
            let written = try layout.write(files)
            let newEvents = try run.recordAlerts(of: report, runID: runID)
            let status: ReportRunStatus = report.findings.contains { $0.state == .firing } ? .alert : .ok
            try store.finishReportRun(id: runID, finishedAt: .wallClockNow, status: status,
                                      outputs: Result.json(written), error: nil)
            return Result(report: report, files: written, folder: layout.runFolder.path, latestFolder: layout.latestFolder.path,
                          runID: runID, newAlertEvents: newEvents, onTrigger: script.onTrigger, layout: layout)
        } catch {
            try? store.finishReportRun(id: runID, finishedAt: .wallClockNow, status: .failed, outputs: nil, error: "\(error)")
            throw error
        }
    }
}

extension ReportJob {
    /// Thrown by a claiming run whose slot another worker holds: that worker makes the report.
    public struct SlotTaken: Error, Sendable, Hashable, CustomStringConvertible {
        /// `<report name> <slot time>`.
        public var slot: String
        public var description: String { "\(slot): made by another worker on this database" }
    }
}

extension ReportJob {
    /// One independent piece of rendering: the HTML page, the PDF, or one CSV file.
    private enum RenderTask {
        case html, pdf, csv(ExportCell.File)
    }

    /// Renders the formats of `report` concurrently — the HTML page, the PDF and each CSV file are separate tasks (each
    /// renderer owns its canvas; the report is immutable) — and returns the files in a fixed order: `report.html`,
    /// `report.pdf`, then the CSVs.
    static func render(_ report: ExecutedReport, formats: [ReportFormat], templatesDirectory: String?,
                       progress: ProgressHandler?) throws -> [(name: String, data: Data)] {
        let wanted = ReportFormat.allCases.filter { formats.contains($0) }
        let templates = wanted.contains(.html) ? try TemplateSet(directory: TemplateSet.locate(explicit: templatesDirectory)) : nil
        let tasks: [RenderTask] = wanted.flatMap { format -> [RenderTask] in
            switch format {
            case .html: [.html]
            case .pdf: [.pdf]
            case .csv: report.exports.map { .csv($0) }
            }
        }
        let results = Mutex<[Int: Swift.Result<(name: String, data: Data)?, any Error>]>([:])
        let done = Mutex(0)
        // concurrentPerform runs the closure on up to one thread per core and returns when all are done.
        DispatchQueue.concurrentPerform(iterations: tasks.count) { i in
            let result = Swift.Result<(name: String, data: Data)?, any Error> {
                switch tasks[i] {
                case .html:
                    guard let templates else { return nil }
                    let csvNames = Set(formats.contains(.csv) ? report.csvFileNames : [])
                    return ("report.html", Data(try HTMLRenderer(templates: templates).render(report, csvFiles: csvNames).utf8))
                case .pdf:
                    return ("report.pdf", try PDFRenderer().render(report))
                case .csv(let file):
                    return CSVRenderer.render(report, file: file)
                }
            }
            results.withLock { $0[i] = result }
            let n = done.withLock { count in
                count += 1
                return count
            }
            progress?(ReportProgress(stage: "render", done: n, total: tasks.count, label: Self.label(of: tasks[i])))
        }
        var files: [(name: String, data: Data)] = []
        for i in tasks.indices {
            if let result = results.withLock({ $0[i] }), let file = try result.get() { files.append(file) }
        }
        return files
    }

    private static func label(of task: RenderTask) -> String {
        switch task {
        case .html: ReportFormat.html.rawValue
        case .pdf: ReportFormat.pdf.rawValue
        case .csv(let file): "\(file.rawValue).csv"
        }
    }
}

extension Timestamp {
    /// The current wall-clock time, UTC, to the millisecond.
    static var wallClockNow: Timestamp { Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
}
