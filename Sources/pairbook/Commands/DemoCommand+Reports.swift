import Foundation
import Market
import ReportEngine
import Storage

extension DemoCommand {
    /// Renders the shipped reports (`pair-overview`, `daily-summary`) over the simulated data into `output/` and
    /// prints where they are. The run time is the end of the simulated span.
    func renderReports(from store: Store) throws {
        let logger = global.makeLogger()
        for name in ["pair-overview", "daily-summary"] {
            let script = ReportScript.locateShipped(name)
            let result = try ReportCommand.render(script: script, store: store, at: range.end, out: "output", logger: logger)
            Console.line(result.summaryLine)
            Console.line("  open \(result.latestFolder)/report.html")
        }
    }
}
