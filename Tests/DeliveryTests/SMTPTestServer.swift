import Foundation
import Testing

/// The real SMTP server of `scripts/smtp-test-server.py` (Python aiosmtpd), on 127.0.0.1 and a free port, saving every
/// message to a temporary folder. Missing python3 or aiosmtpd is a test failure with instructions, never a skip.
final class SMTPTestServer {
    enum Mode: String { case plain, starttls, tls }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe

    static var scriptPath: String {
        // Resolve symlinks so that the path also works from a dev package that links Tests/DeliveryTests.
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/smtp-test-server.py").path
    }

    init(mode: Mode = .plain, user: String? = nil, password: String? = nil) throws {
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
        let hint = "the DeliveryTests need python3 with aiosmtpd: run `python3 -m pip install aiosmtpd==1.4.6` (make test does)"
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

    /// The raw message and Python's parse of it, for message number `n` (1-based), waiting for it to be saved.
    func message(_ n: Int = 1) async throws -> (raw: [UInt8], summary: [String: Any]) {
        let json = directory.appendingPathComponent("\(n).json")
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: json.path) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let raw = try Data(contentsOf: directory.appendingPathComponent("\(n).eml"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any] ?? [:]
        return (Array(raw), summary)
    }

    var messageCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.count
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// Just enough MIME parsing to check what the server received, independently of the code under test.
enum MIMETestParser {
    struct Part {
        var headers: [String: String]
        var body: String
    }

    /// Splits a message into lower-cased, unfolded headers and the body.
    static func split(_ raw: String) -> Part {
        let text = raw
        guard let end = text.range(of: "\r\n\r\n") else { return Part(headers: [:], body: text) }
        let head = String(text[..<end.lowerBound]).replacingOccurrences(of: "\r\n ", with: " ")
            .replacingOccurrences(of: "\r\n\t", with: " ")
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Part(headers: headers, body: String(text[end.upperBound...]))
    }

    /// The parts of a multipart body.
    static func parts(of message: Part) -> [Part] {
        guard let contentType = message.headers["content-type"], let range = contentType.range(of: "boundary=\"") else {
            return []
        }
        let boundary = contentType[range.upperBound...].prefix { $0 != "\"" }
        let pieces = message.body.components(separatedBy: "--\(boundary)")
        // pieces[0] is the preamble; the last starts with "--" (the close delimiter).
        return pieces.dropFirst().filter { !$0.hasPrefix("--") }.map { piece in
            var piece = piece
            if piece.hasPrefix("\r\n") { piece.removeFirst() }
            if piece.hasSuffix("\r\n") { piece.removeLast() }
            return split(piece)
        }
    }

    static func base64(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text.replacingOccurrences(of: "\r\n", with: "")).map(Array.init)
    }

    static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "=") {
                if i + 2 < input.count, input[i + 1] == 13, input[i + 2] == 10 {
                    i += 3  // soft line break
                    continue
                }
                if i + 2 < input.count, let value = UInt8(String(decoding: input[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                    i += 3
                    continue
                }
            }
            bytes.append(input[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
