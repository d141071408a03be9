import Alerts
import Foundation
import Logging

/// A script's `on_trigger:` shell command, run after a report run in which an alert fires.
///
/// The command runs through `/bin/sh -c` with the run described in environment variables: `PAIRBOOK_REPORT` (the
/// report's name), `PAIRBOOK_RUN_DIR` (its run folder), `PAIRBOOK_FIRING` (firing findings) and `PAIRBOOK_SUMMARY`
/// (the one-line summary); run for a live alert, it gets the alert's variables instead (see `pairbook run`). Its output goes where pairbook's own goes; stdin is /dev/null. Waiting for it never blocks
/// a cooperative thread, and a command still running after ``timeLimit`` is stopped with everything it started
/// (SIGTERM to its process group, then SIGKILL to the group), so a hung notifier cannot hold up a scheduled report.
/// A failing command is logged as a warning, never fatal: the report is already written.
///
/// ```swift
/// if result.hasFiringAlerts, let command = result.onTrigger {
///     await TriggerCommand(command).run(for: result, logger: logger)
/// }
/// ```
public struct TriggerCommand: Sendable {
    /// How the command ended.
    public enum Outcome: Sendable, Equatable {
        /// It exited with this status (128 + n when signal n ended it).
        case exited(Int32)
        /// It outlived the time limit and was stopped.
        case timedOut
        /// `/bin/sh` could not be started.
        case couldNotStart(String)
    }

    public let command: String
    /// How long the command may run.
    public let timeLimit: Duration
    /// How long the command's process group has between SIGTERM and SIGKILL once the limit is reached.
    public let grace: Duration

    public init(_ command: String, timeLimit: Duration = .seconds(60), grace: Duration = .seconds(2)) {
        self.command = command
        self.timeLimit = timeLimit
        self.grace = grace
    }

    /// The variables the command sees besides pairbook's own environment.
    public static func environment(for result: ReportJob.Result) -> [String: String] {
        [
            "PAIRBOOK_REPORT": result.report.name,
            "PAIRBOOK_RUN_DIR": result.folder,
            "PAIRBOOK_FIRING": String(result.report.findings.filter { $0.state == .firing }.count),
            "PAIRBOOK_SUMMARY": result.summaryLine,
        ]
    }

    /// Runs the command for `result` and waits for it (at most ``timeLimit``), logging a failure.
    @discardableResult
    public func run(for result: ReportJob.Result, logger: Logger) async -> Outcome {
        await run(environment: Self.environment(for: result), logger: logger, metadata: ["report": "\(result.report.name)"])
    }

    /// Runs the command with `extra` in its environment and waits for it (at most ``timeLimit``), logging how it ended
    /// with `metadata` (what it ran for).
    @discardableResult
    public func run(environment extra: [String: String], logger: Logger, metadata: Logger.Metadata) async -> Outcome {
        let outcome = await run(environment: extra)
        switch outcome {
        case .exited(0):
            logger.info("on_trigger command finished", metadata: metadata)
        case .exited(let status):
            logger.warning("on_trigger command failed", metadata: metadata.merging(["report.trigger.status": "\(status)"]) { $1 })
        case .timedOut:
            logger.warning("on_trigger command still running after the time limit; stopped it",
                           metadata: metadata.merging(["report.trigger.time_limit": "\(timeLimit)"]) { $1 })
        case .couldNotStart(let reason):
            logger.warning("on_trigger command could not start", metadata: metadata.merging(["report.trigger.error": "\(reason)"]) { $1 })
        }
        return outcome
    }

    /// Runs the command with `extra` added to this process's environment, minus its secrets (see ``childEnvironment(_:)``).
    ///
    /// At the time limit the command's whole process group gets SIGTERM, and SIGKILL ``grace`` later if anything of
    /// the group is still there, whether or not the shell itself has ended by then.
    public func run(environment extra: [String: String]) async -> Outcome {
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", command],
                                           environment: Self.childEnvironment(ProcessInfo.processInfo.environment).merging(extra) { $1 })
        } catch {
            return .couldNotStart(error.description)
        }
        // Whichever ends first: the command (its exit status) or the time limit (nil; also when this task is cancelled,
        // so a cancelled run stops its command too).
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await child.waitForExit() }
            group.addTask {
                try? await Task.sleep(for: timeLimit)
                return nil
            }
            if let status = await group.next()! {
                group.cancelAll()
                return .exited(status)
            }
            await child.stopGroup(grace: grace)
            await group.waitForAll()  // the waiter reaps the shell
            return .timedOut
        }
    }

    /// `environment` without the variables that hold secrets: a notifier is a shell command written by whoever
    /// writes report scripts, and has no business with pairbook's SMTP password, exchange keys or tokens.
    /// A variable is dropped when its name contains `PASSWORD`, `PASSWD`, `SECRET`, `TOKEN` or `API_KEY`
    /// (`PAIRBOOK_SMTP_PASSWORD`, `PAIRBOOK_TOKEN`, `BINANCE_API_KEY`, `BINANCE_API_SECRET`, `PGPASSWORD`, …).
    public static func childEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            let upper = name.uppercased()
            return !secretMarkers.contains { upper.contains($0) }
        }
    }

    private static let secretMarkers = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY"]
}
