import ArgumentParser
import Foundation
import Logging
import Synchronization

/// Options every command that touches the database accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $PAIRBOOK_DB or ./pairbook.sqlite).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Log level for messages on stderr.", valueName: "level"))
    var logLevel: LogLevel = .notice

    /// The database path after applying the `PAIRBOOK_DB` fallback.
    var databasePath: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["PAIRBOOK_DB"], !env.isEmpty { return env }
        return "pairbook.sqlite"
    }

    /// Bootstraps swift-log once for this process (stderr) and returns the CLI's logger.
    func makeLogger(label: String = "pairbook") -> Logger {
        LoggingBootstrap.run(level: logLevel.level)
        return Logger(label: label)
    }
}

/// `--log-level` values.
enum LogLevel: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .notice }
}

/// Makes `LoggingSystem.bootstrap` run at most once per process (swift-log allows only one call).
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func run(level: Logger.Level) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
