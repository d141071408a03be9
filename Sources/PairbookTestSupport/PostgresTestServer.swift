import Foundation

/// A real PostgreSQL 15 server (Debian's postgresql-15) on 127.0.0.1 and a free port, in a fresh cluster in a
/// temporary folder, started by `scripts/pg-test-server.sh` (as the `postgres` user when run as root) and stopped
/// with ``stop()``. Each test database is created fresh (``createDatabase()``).
///
/// Missing PostgreSQL skips the suites that need it (``isAvailable``), unless `PAIRBOOK_POSTGRES_REQUIRED=1` (as
/// `make test` sets it, after installing the package), where it is a failure with instructions.
public final class PostgresTestServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public static let initdb = "/usr/lib/postgresql/15/bin/initdb"

    /// Whether suites that need PostgreSQL run.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: initdb) || ProcessInfo.processInfo.environment["PAIRBOOK_POSTGRES_REQUIRED"] == "1"
    }

    public static let skipReason = "PostgreSQL 15 not installed (apt-get install postgresql-15; make test does)"

    public let port: Int
    public let directory: URL

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-test-server.sh").path
    }

    /// Starts a fresh cluster (about 2 s); `durable` keeps PostgreSQL's fsync and synchronous commit (benches).
    public init(durable: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.initdb) else {
            throw StartError(description: "\(Self.initdb) is missing: \(Self.skipReason)")
        }
        port = try LoopbackHTTP.freePort()
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("pairbook-pg-\(UUID().uuidString.prefix(8))")
        try Self.script(["start", directory.path, "\(port)"] + (durable ? ["durable"] : []))
    }

    /// `postgres://postgres@127.0.0.1:PORT/NAME` for a new, empty database `NAME`.
    public func createDatabase(_ name: String = "t\(UUID().uuidString.prefix(8).lowercased())") throws -> String {
        try Self.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return url(database: name)
    }

    public func url(database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

    /// Gives the fresh cluster the write-ahead log files of a server that has been running (benches): writes about
    /// `megabytes` of WAL into a throwaway table, then a checkpoint recycles those 16 MB segment files as the next ones.
    ///
    /// A fresh cluster has one segment and creates each next one when the log reaches it, writing 16 MB of zeros and
    /// syncing them while every commit waits (about 100 ms on this machine, every 2.3 s at two collectors' 7 MB/s of
    /// WAL); a server past its first checkpoints renames a recycled file instead.
    public func recycleWAL(megabytes: Int) throws {
        try Self.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-q",
                                       "-c", "CREATE TABLE pairbook_wal_warmup AS SELECT g, repeat('x', 200) AS filler FROM generate_series(1, \(megabytes * 4_000)) g",
                                       "-c", "DROP TABLE pairbook_wal_warmup", "-c", "CHECKPOINT"])
    }

    public func stop() {
        try? Self.script(["stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts a server, runs `body` with it, stops it.
    /// The server starts and stops on a thread of its own (``onOwnThread(_:)``): `initdb` takes seconds, which must not
    /// hold one of the two threads every test shares.
    public static func withServer<T>(durable: Bool = false, _ body: (PostgresTestServer) async throws -> T) async throws -> T {
        let server = try await onOwnThread { try PostgresTestServer(durable: durable) }
        do {
            let result = try await body(server)
            _ = try? await onOwnThread { server.stop() }
            return result
        } catch {
            _ = try? await onOwnThread { server.stop() }
            throw error
        }
    }

    /// ``createDatabase(_:)`` on a thread of its own.
    public func newDatabase() async throws -> String {
        try await onOwnThread { try self.createDatabase() }
    }

    private static func script(_ arguments: [String]) throws {
        try run("/bin/bash", [scriptPath] + arguments)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        // Errors go to a file, not a pipe: the server that `pg_ctl start` leaves running would hold a pipe open forever.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-pg-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw StartError(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(message)")
        }
    }
}
