import Foundation
import RedisClient
import Synchronization

/// A real `redis-server` (Debian's `redis-server` package) on 127.0.0.1 and a free port, without persistence
/// (`--save "" --appendonly no`), in a temporary folder: tests start it, kill it, start it again on the same port
/// (empty, as a restarted cache is) and stop it.
///
/// Suites that need it are enabled with ``isUsable``: without `redis-server` they are skipped with ``skipReason``,
/// unless `PAIRBOOK_REDIS_REQUIRED=1` (as `make test` sets it), in which case starting fails the test with instructions.
///
/// ```swift
/// @Suite("…", .enabled(if: RedisTestServer.isUsable, Comment(rawValue: RedisTestServer.skipReason)))
/// let redis = try await RedisTestServer.start()
/// defer { redis.stop() }
/// // connect to redis://127.0.0.1:\(redis.port)
/// ```
public final class RedisTestServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where Debian installs the server.
    public static let executable = "/usr/bin/redis-server"
    /// The instruction printed when it is missing.
    public static let installHint = "`bash scripts/install-deps.sh redis-server` (make test-deps does)"

    /// Whether `redis-server` is installed.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }
    /// Whether a missing server must fail the tests instead of skipping them (`PAIRBOOK_REDIS_REQUIRED=1`).
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["PAIRBOOK_REDIS_REQUIRED"] == "1" }
    /// Whether Redis tests run: the server is installed, or required (and then fail to start with instructions).
    public static var isUsable: Bool { isAvailable || isRequired }
    /// Why Redis tests are skipped.
    public static let skipReason = "redis-server is not installed: \(installHint); PAIRBOOK_REDIS_REQUIRED=1 makes this a failure"

    /// The port on 127.0.0.1.
    public let port: Int
    /// `redis://127.0.0.1:<port>`.
    public var url: String { "redis://127.0.0.1:\(port)" }
    /// This server, with patient timeouts (see ``configuration(port:)``).
    public var configuration: RedisConfiguration { Self.configuration(port: port) }

    /// 127.0.0.1:`port` with connect and command timeouts of a minute: on a loaded machine running the whole suite in
    /// one process, NIO's shared event loops can be busy for seconds, and only the timeout tests want short ones.
    public static func configuration(port: Int) -> RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, connectTimeout: .seconds(60), commandTimeout: .seconds(60))
    }
    /// The server's working folder (its log is `redis.log` there).
    public let directory: URL
    private let process: Mutex<Process?>

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
        self.process = Mutex(nil)
    }

    /// Starts a server on a free port (or on `port`) and waits until it accepts connections.
    /// - Throws: ``StartError`` with the install hint when `redis-server` is missing, or with its log when it does not start.
    public static func start(port: Int? = nil) async throws -> RedisTestServer {
        let server = RedisTestServer(port: try port ?? LoopbackHTTP.freePort(),
                                     directory: try Fixtures.temporaryDirectory(prefix: "pairbook-redis"))
        try await server.restart()
        return server
    }

    /// Starts the server again on the same port (after ``kill()``), empty, and waits until it accepts connections.
    public func restart() async throws {
        guard Self.isAvailable else { throw StartError(description: "\(Self.executable) is missing: \(Self.installHint)") }
        let log = directory.appendingPathComponent("redis.log")
        try? FileManager.default.removeItem(at: log)
        let arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", directory.path, "--logfile", log.path]
        try process.withLock { current in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            current = process
        }
        // Redis logs this line once it listens; a server that exits (port taken, bad option) ends the wait.
        let patience = ContinuousClock.now + .seconds(60)
        while !((try? String(contentsOf: log, encoding: .utf8))?.contains("Ready to accept connections") ?? false) {
            guard isRunning, ContinuousClock.now < patience else {
                let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                kill()
                throw StartError(description: "redis-server on port \(port) did not start; its log: \(said.suffix(600))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Kills the server with SIGKILL (no shutdown, as a crash or an OOM kill) and waits for it to exit.
    public func kill() {
        process.withLock { current in
            guard let process = current else { return }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            current = nil
        }
    }

    /// Whether the server process is running.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// Kills the server and removes its folder.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
