import ArgumentParser
import Foundation
import Logging
import Synchronization
import Dashboard
import DataMigration
import NIOPosix
import PairbookApp
import Storage

/// Options every command that touches the database accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Database: an SQLite file (or sqlite:PATH), or postgres://user@host[:port]/db for every command but demo (default: $PAIRBOOK_DB or ./pairbook.sqlite).",
        valueName: "path|url"))
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

extension GlobalOptions {
    /// Opens the `--db` database of a command that works on SQLite only so far.
    ///
    /// - Parameters:
    ///   - command: the command's name, for the message when `--db` is a PostgreSQL URL.
    ///   - create: whether a missing file is created (import, fetch) or is an error (the readers).
    /// - Throws: ``UnsupportedDatabase`` for `postgres://…`; ``StoreError/cannotOpen(path:reason:)`` for a missing file
    ///   (unless `create`) or one that is not a pairbook database.
    func openSQLite(for command: String, create: Bool = false, logger: Logger) throws -> Store {
        guard case .sqlite(let path) = try StoreLocation(parsing: databasePath) else {
            throw UnsupportedDatabase(command: command)
        }
        guard create || FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "no such database (run `pairbook demo` or `pairbook import` first)")
        }
        return try Store(path: path, logger: logger)
    }
}

extension GlobalOptions {
    /// Runs `body` on a thread of NIO's pool with the `--db` database, an SQLite file that must exist or a PostgreSQL
    /// database (whose calls block that thread, never a Swift concurrency one).
    /// - Throws: ``Storage/StoreError/cannotOpen(path:reason:)`` for a missing file; the PostgreSQL store's errors for a
    ///   server it cannot reach or use; what `body` throws.
    func withStore<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (any DashboardStore) throws -> T) async throws -> T {
        try await StoreLocation(parsing: databasePath).withDashboardStore(logger: logger) { store in
            try await NIOThreadPool.singleton.runIfActive { try body(store) }
        }
    }
}

/// `--db postgres://…` given to a command that reads or writes SQLite only so far.
struct UnsupportedDatabase: Error, CustomStringConvertible {
    var command: String

    var description: String {
        "--db: `pairbook \(command)` works on an SQLite file only (every other command takes postgres://); "
            + "copy the data with `pairbook migrate --from postgres://… --to sqlite:FILE`"
    }
}
