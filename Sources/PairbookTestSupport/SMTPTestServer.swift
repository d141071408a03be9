import Foundation

/// The real SMTP server of `scripts/smtp-test-server.py` (Python aiosmtpd), on 127.0.0.1 and a free port, saving every
/// message to a temporary folder. Missing python3 or aiosmtpd is a test failure with instructions, never a skip.
public final class SMTPTestServer {
    public enum Mode: String, Sendable {
        case plain, starttls, tls
        /// STARTTLS, with a plaintext reply injected right behind the server's 220 to STARTTLS.
        case starttlsInject = "starttls-inject"
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The port it listens on (127.0.0.1).
    public let port: Int
    /// Where it saves `<n>.eml` and `<n>.json`.
    public let directory: URL
    private let process: Process
    private let stdin: Pipe

    public static var scriptPath: String {
        // Resolve symlinks so that the path also works from a dev package that links Tests/DeliveryTests.
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/smtp-test-server.py").path
    }

    /// Starts the server; throws with instructions when python3 or aiosmtpd is missing.
    public init(mode: Mode = .plain, user: String? = nil, password: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Self.scriptPath, "--dir", directory.path, "--port", "0", "--mode", mode.rawValue]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let hint = "the SMTP tests need python3 with aiosmtpd: run `python3 -m pip install aiosmtpd==1.4.6` (make test does)"
        do {
            try process.run()
        } catch {
            throw StartError(description: "cannot start \(Self.scriptPath): \(error); \(hint)")
        }
        // Wait for "READY <port>" (the script prints it once it listens), or for the process to die.
        var output = Data()
        while !output.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // EOF: the server exited
            output.append(chunk)
        }
        let line = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            process.terminate()
            process.waitUntilExit()
            let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw StartError(
                description: "SMTP test server did not start (\(hint)); stdout: \(line.debugDescription); stderr: \(errors.suffix(600))")
        }
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    /// The raw message and Python's parse of it, for message number `n` (1-based), waiting (up to a minute, polling
    /// every 10 ms) for it to be saved.
    public func message(_ n: Int = 1) async throws -> (raw: [UInt8], summary: [String: Any]) {
        let json = directory.appendingPathComponent("\(n).json")
        let patience = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: json.path), ContinuousClock.now < patience {
            try await Task.sleep(for: .milliseconds(10))
        }
        let raw = try Data(contentsOf: directory.appendingPathComponent("\(n).eml"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any] ?? [:]
        return (Array(raw), summary)
    }

    /// Messages saved so far.
    public var messageCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.count
    }

    /// Stops the server and removes its folder.
    public func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
