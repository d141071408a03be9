import Alerts
import DataMigration
import ArgumentParser
import Delivery
import Foundation
import Logging
import Market
import PairbookApp
import ReportEngine
import Storage

/// `pairbook report SCRIPT`: runs a report script and writes HTML, PDF and CSV into the output folder.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a report script (Reports/*.md) to HTML, PDF and CSV.",
        discussion: """
            The report covers `lookback` ending at the run time: --at, else the script's schedule slot, else now. \
            Parameters are typed by the script's declarations: -p window=120 stays an int; an unknown key is an error. \
            Files go to <out>/<report>/<UTC run time>/ and are copied to <out>/<report>/latest/. \
            The same database and parameters give byte-identical HTML and CSV.

            --copy-to and --email deliver the finished report like `pairbook run` does (SMTP server, sender and credentials \
            from the `delivery:` section of the config file; see README). A failed delivery keeps the report and exits 1.

            Exit status: 0 when done, 1 on errors, 2 with --fail-on-alert when an alert is firing.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The report script, e.g. Reports/pair-overview.md.", valueName: "script"))
    var script: String

    @Option(name: [.customShort("p"), .customLong("param")],
            help: ArgumentHelp("Set a parameter (repeatable), e.g. -p base=SOLUSDT -p window=120.", valueName: "key=value"))
    var assignments: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp("A YAML file of parameter values.", valueName: "file"))
    var paramsFile: String?

    @Option(help: ArgumentHelp("Render as of this UTC time (ISO-8601 or epoch ms).", valueName: "time"))
    var at: Timestamp?

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String = "output"

    @Option(help: ArgumentHelp("Formats to write, comma-separated (default: the script's formats).", valueName: "html,pdf,csv"))
    var format: FormatList?

    @Option(help: ArgumentHelp("Folder of the HTML templates (default: the installed ones).", valueName: "dir"))
    var templates: String?

    @Flag(help: "Exit with status 2 when an alert is firing (after writing the report).")
    var failOnAlert = false

    @Option(name: .customLong("copy-to"), help: ArgumentHelp("Also copy the report's files into this folder (a shared drive).", valueName: "dir"))
    var copyTo: String?

    @Option(name: .customLong("email"),
            help: ArgumentHelp("Mail the PDF, findings in the body, to this address (repeatable; SMTP settings from the config file).",
                               valueName: "address"))
    var emails: [String] = []

    @Option(help: ArgumentHelp("Configuration file with the `delivery:` section (default ./pairbook.yaml when --email is given).",
                               valueName: "file"))
    var config: String?

    func run() async throws {
        let logger = global.makeLogger()
        // Delivery settings and credentials are checked before any work, like `pairbook run` does.
        let configPath = config ?? (!emails.isEmpty && FileManager.default.fileExists(atPath: "pairbook.yaml") ? "pairbook.yaml" : nil)
        let file = try configPath.map(RunConfiguration.load)
        let deliveries = try ReportDeliveries(copyTo: copyTo, emails: emails, configuration: file?.delivery).make(logger: logger)
        let started = ContinuousClock.now
        let result = try await StoreLocation(parsing: global.databasePath).withReportStore(logger: logger) { store in
            let result = try await Self.render(script: script, store: store, assignments: assignments, paramsFile: paramsFile, at: at,
                                               out: out, formats: format?.values, templates: templates, logger: logger)
            let elapsed = ContinuousClock.now - started
            Console.line(result.summaryLine)
            logger.debug("Report finished", metadata: [
                "report.seconds": "\(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))",
                "process.peak_rss_kb": "\(Self.peakResidentKilobytes().map(String.init) ?? "unknown")",
            ])
            let failures = await ReportDeliveries.deliver(result, generatedAt: result.report.runTime, to: deliveries, store: store)
            for delivery in deliveries where !failures.contains(where: { $0.hasPrefix(delivery.target + ":") }) {
                Console.line("  delivered: \(delivery.target)")
            }
            if result.hasFiringAlerts, let command = result.onTrigger {
                await TriggerCommand(command).run(for: result, logger: logger)
            }
            if !failures.isEmpty {
                throw ReportDeliveries.Failed(folder: result.folder, failures: failures)
            }
            return result
        }
        if failOnAlert && result.hasFiringAlerts { throw ExitCode(2) }
    }

    /// This process's peak resident memory (`VmHWM` of /proc/self/status), kB. Unlike `getrusage`, whose maximum
    /// includes the parent's memory when the process was spawned with vfork, it counts this program only.
    static func peakResidentKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.dropFirst(6).filter(\.isNumber))
    }

    /// Runs one report with a progress line on the terminal, on a thread of its own; shared with `pairbook demo`.
    static func render(script: String, store: any ReportStore, assignments: [String] = [], paramsFile: String? = nil, at: Timestamp?,
                       out: String, formats: [ReportFormat]? = nil, templates: String? = nil, logger: Logger) async throws -> ReportJob.Result {
        let job = ReportJob(scriptPath: script, assignments: assignments, paramsFile: paramsFile, at: at, outputRoot: out,
                            formats: formats, templatesDirectory: templates)
        defer { Console.endProgress() }
        return try await job.runOffThread(store: store, logger: logger) { progress in
            Console.progress("report \(script): \(progress.stage) \(progress.done)/\(progress.total) \(progress.label)")
        }
    }
}

/// `--format html,pdf,csv`.
struct FormatList: ExpressibleByArgument {
    var values: [ReportFormat]

    init?(argument: String) {
        var values: [ReportFormat] = []
        for part in argument.split(separator: ",") {
            guard let f = ReportFormat(rawValue: String(part).trimmingCharacters(in: .whitespaces).lowercased()) else { return nil }
            if !values.contains(f) { values.append(f) }
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }
}
