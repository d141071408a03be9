import Collector
import Foundation
import Market
import PairbookTestSupport

/// Runs the built `pairbook` binary for end-to-end tests of import, export, status and demo.
enum ImporterCLI {
    /// The `pairbook` executable: `$PAIRBOOK_BINARY`, or next to the test bundle (`.build/<config>/pairbook`).
    static var binary: URL? {
        if let env = ProcessInfo.processInfo.environment["PAIRBOOK_BINARY"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(argv0.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for dir in candidates {
            var url = dir
            // The bundle may be `.build/debug/xPackageTests.xctest[/Contents/MacOS]`: walk up a few levels.
            for _ in 0..<4 {
                let candidate = url.appendingPathComponent("pairbook")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                url.deleteLastPathComponent()
            }
        }
        return nil
    }

    /// Whether the end-to-end suites run: when the binary is there, and always under `make test`
    /// (`PAIRBOOK_CLI_REQUIRED=1`), where a missing binary fails every such test instead of skipping it silently.
    static var isAvailable: Bool { binary != nil || ProcessInfo.processInfo.environment["PAIRBOOK_CLI_REQUIRED"] == "1" }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `pairbook arguments…` in `directory` and waits for it on a thread of its own (``onOwnThread(_:)``): a test
    /// waiting for a child on one of Swift concurrency's two threads would stall every other test's timers and I/O.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws -> Result {
        try await onOwnThread { try runBlocking(arguments, in: directory, environment: environment) }
    }

    /// ``run(_:in:environment:)`` blocking the calling thread.
    @discardableResult
    static func runBlocking(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        // stdout through a pipe, read to its end before waiting; stderr (logs can be long) into a file, so the child
        // never blocks on a full stderr pipe while stdout is being read.
        let out = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-cli-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let err = try FileHandle(forWritingTo: errorFile)
        defer { try? err.close() }
        let process = try start(arguments, in: directory, output: (out, err), environment: environment)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? Data(contentsOf: errorFile)) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts `pairbook arguments…` in `directory` (with `environment` added), stdout and stderr into `output` (each a
    /// `Pipe` or a `FileHandle`; discarded without it). A pipe must be read while the child runs, or a child that writes
    /// more than the pipe holds blocks: long output (logs) goes to a file.
    static func start(_ arguments: [String], in directory: URL, output: (stdout: Any, stderr: Any)? = nil,
                      environment extra: [String: String] = [:]) throws -> Process {
        guard let binary else { throw CLIError.noBinary }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PAIRBOOK_DB")
        process.environment = environment.merging(extra) { $1 }
        if let (out, err) = output {
            process.standardOutput = out
            process.standardError = err
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Writes simulated trades of one symbol as a USD-M `trades` dump (with header) and returns its URL.
    static func writeTrades(symbol: Symbol = "BTCUSDT", count: Int, named name: String, in directory: URL) throws -> URL {
        let start = Timestamp(seconds: 1_721_347_200)
        let ticks = Simulator().ticks(in: TimeRange(start: start, end: start + .days(30))).lazy.filter { $0.symbol == symbol }.prefix(count)
        var text = "id,price,qty,quote_qty,time,is_buyer_maker\n"
        for t in ticks {
            text += "\(t.tradeID),\(t.price),\(t.quantity),\(t.price * t.quantity),\(t.timestamp.milliseconds),\(t.isBuyerMaker)\n"
        }
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    enum CLIError: Error { case noBinary }
}
