import Foundation
import Logging
import Market
import NIOCore
import NIOSSL
import PairbookTestSupport
import Synchronization
import Testing

@testable import Delivery

private let quietLogger = Logger(label: "test.delivery", factory: { _ in SwiftLogNoOpLogHandler() })

/// A fake PDF whose bytes exercise every trap: all 256 byte values, CRLF-dot-CRLF, lines starting with a dot.
private func samplePDF() -> [UInt8] {
    var bytes = Array("%PDF-1.4\n%âãÏÓ\n".utf8)
    bytes += Array(0...255)
    bytes += Array("\r\n.\r\n..\n.\r\nstream\r\n".utf8)
    var generator = SystemRandomNumberGenerator()
    bytes += (0..<40_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
    bytes += Array("\n%%EOF\n".utf8)
    return bytes
}

private let findings = """
    BTCUSDT/ETHUSDT — 2 findings
    • spread stretched: z = 2.41 > 2.0
    .a line starting with a dot, and a very long line that goes on and on past the seventy-six character limit of quoted-printable = fine
    trailing spaces here\u{20}\u{20}\u{20}
    """

/// Runs one delivery of a report with a PDF through a real SMTP server and checks what it received.
private func deliverAndCheck(
    server: SMTPTestServer, smtp: SMTPConfiguration, expectLogin: String?
) async throws {
    // Given a finished report with a PDF and a CSV on disk
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pdf = samplePDF()
    try Data(pdf).write(to: folder.appendingPathComponent("report.pdf"))
    try Data("a,b\n1,2\n".utf8).write(to: folder.appendingPathComponent("pair.csv"))
    let report = DeliverableReport(
        name: "pair-overview", title: "BTCUSDT vs ETHUSDT — Übersicht 📈 pair overview with a long title for folding",
        generatedAt: Timestamp(milliseconds: 1_764_014_400_000),
        files: [folder.appendingPathComponent("report.pdf").path, folder.appendingPathComponent("pair.csv").path],
        summary: findings)
    let delivery = SMTPDelivery(
        smtp: smtp, from: try EmailAddress(parsing: "Pairbook Reports <reports@pairbook.test>"),
        to: [try EmailAddress("quant@pairbook.test"), try EmailAddress(parsing: "Zoë Trader <zoe@pairbook.test>")],
        retry: .none, now: { Timestamp(milliseconds: 1_764_014_445_000) }, logger: quietLogger)

    // When it is mailed
    try await delivery.deliver(report)

    // Then the server got one message, whose attachment is byte-for-byte the PDF
    let (raw, summary) = try await server.message(1)
    #expect(summary["mail_from"] as? String == "reports@pairbook.test")
    #expect(summary["rcpt_tos"] as? [String] == ["quant@pairbook.test", "zoe@pairbook.test"])
    #expect(summary["auth_login"] as? String == expectLogin)
    #expect(summary["defects"] as? [String] == [])

    let text = String(decoding: raw, as: UTF8.self)
    #expect(raw.allSatisfy { $0 < 0x80 }, "the message is 7-bit")
    let message = MIMETestParser.split(text)
    #expect(message.headers["mime-version"] == "1.0")
    #expect(message.headers["date"] == "Mon, 24 Nov 2025 20:00:45 +0000")
    #expect(message.headers["message-id"]?.hasSuffix("@pairbook.test>") == true)
    #expect(message.headers["content-type"]?.hasPrefix("multipart/mixed;") == true)
    let parts = MIMETestParser.parts(of: message)
    try #require(parts.count == 2)
    #expect(parts[0].headers["content-type"] == "text/plain; charset=utf-8")
    #expect(parts[0].headers["content-transfer-encoding"] == "quoted-printable")
    #expect(MIMETestParser.quotedPrintable(parts[0].body).hasPrefix(findings.replacingOccurrences(of: "\n", with: "\r\n")))
    #expect(parts[1].headers["content-type"] == "application/pdf; name=\"report.pdf\"")
    #expect(parts[1].headers["content-disposition"] == "attachment; filename=\"report.pdf\"")
    #expect(parts[1].headers["content-transfer-encoding"] == "base64")
    #expect(MIMETestParser.base64(parts[1].body) == pdf)

    // …and Python's own e-mail parser agrees on the decoded subject, names, body and attachment
    #expect(summary["subject"] as? String == report.title)
    #expect(summary["from"] as? String == "Pairbook Reports <reports@pairbook.test>")
    #expect(summary["to"] as? String == "quant@pairbook.test, Zoë Trader <zoe@pairbook.test>")
    let body = (summary["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n")
    #expect(body?.hasPrefix(findings + "\n") == true)
    #expect(body?.contains("Other outputs: pair.csv") == true)
    let attachments = summary["attachments"] as? [[String: Any]]
    #expect(attachments?.count == 1)
    #expect(attachments?.first?["filename"] as? String == "report.pdf")
    #expect(attachments?.first?["content_type"] as? String == "application/pdf")
    #expect(attachments?.first?["size"] as? Int == pdf.count)
}

private func testTLS() -> TLSConfiguration {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateVerification = .none  // the test server's throwaway self-signed certificate
    tls.shutdownTimeout = .milliseconds(200)
    return tls
}

@Suite(.serialized)
struct SMTPDeliveryTests {
    @Test("plain SMTP with AUTH PLAIN delivers the PDF byte for byte")
    func plainAuthPlain() async throws {
        let server = try SMTPTestServer(mode: .plain, user: "quant", password: "s3cret pass")
        defer { server.stop() }
        let smtp = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .plain,
            credentials: SMTPCredentials(username: "quant", password: "s3cret pass"), authMethod: .plain,
            allowInsecureAuthentication: true, timeout: .seconds(60))
        try await deliverAndCheck(server: server, smtp: smtp, expectLogin: "quant")
    }

    @Test("STARTTLS with AUTH LOGIN delivers the PDF byte for byte")
    func startTLSAuthLogin() async throws {
        let server = try SMTPTestServer(mode: .starttls, user: "quant", password: "pw")
        defer { server.stop() }
        let smtp = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .startTLS,
            credentials: SMTPCredentials(username: "quant", password: "pw"), authMethod: .login,
            timeout: .seconds(60), tls: testTLS())
        try await deliverAndCheck(server: server, smtp: smtp, expectLogin: "quant")
    }

    @Test("implicit TLS with AUTH (automatic) delivers the PDF byte for byte")
    func implicitTLS() async throws {
        let server = try SMTPTestServer(mode: .tls, user: "quant", password: "pw")
        defer { server.stop() }
        let smtp = SMTPConfiguration(
            host: "127.0.0.1", port: server.port, security: .tls,
            credentials: SMTPCredentials(username: "quant", password: "pw"), timeout: .seconds(60), tls: testTLS())
        try await deliverAndCheck(server: server, smtp: smtp, expectLogin: "quant")
    }

    @Test("a wrong password is a permanent authentication failure, not retried")
    func wrongPassword() async throws {
        let server = try SMTPTestServer(mode: .plain, user: "quant", password: "right")
        defer { server.stop() }
        let sleeps = Mutex<[Duration]>([])
        let delivery = SMTPDelivery(
            smtp: SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .plain,
                credentials: SMTPCredentials(username: "quant", password: "wrong"), allowInsecureAuthentication: true,
                timeout: .seconds(60)),
            from: try EmailAddress("reports@pairbook.test"), to: [try EmailAddress("quant@pairbook.test")],
            now: { Timestamp(milliseconds: 0) }, sleep: { d in sleeps.withLock { $0.append(d) } }, logger: quietLogger)
        let report = DeliverableReport(name: "r", title: "r", generatedAt: Timestamp(milliseconds: 0), files: [])
        let error = await #expect(throws: DeliveryError.self) { try await delivery.deliver(report) }
        guard case .authenticationFailed(let code, _) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(code == 535)
        #expect(!(error?.description.contains("wrong") ?? true), "the password never appears in errors")
        #expect(sleeps.withLock { $0 }.isEmpty)
        #expect(server.messageCount == 0)
    }

    @Test("credentials are never sent over plain text unless allowed")
    func insecureAuthRefused() async throws {
        let server = try SMTPTestServer(mode: .plain, user: "quant", password: "pw")
        defer { server.stop() }
        let client = SMTPClient(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .plain,
                credentials: SMTPCredentials(username: "quant", password: "pw"), timeout: .seconds(60)),
            logger: quietLogger)
        await #expect(throws: DeliveryError.insecureAuthentication(host: "127.0.0.1")) {
            try await client.send(from: "a@pairbook.test", to: ["b@pairbook.test"], data: Array("Subject: x\r\n\r\nx\r\n".utf8))
        }
    }

    @Test("a reply injected behind the server's 220 to STARTTLS, before TLS, is refused and nothing is sent")
    func startTLSInjection() async throws {
        let server = try SMTPTestServer(mode: .starttlsInject, user: "quant", password: "pw")
        defer { server.stop() }
        let client = SMTPClient(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .startTLS,
                credentials: SMTPCredentials(username: "quant", password: "pw"), authMethod: .login,
                timeout: .seconds(60), tls: testTLS()),
            logger: quietLogger)
        await #expect(throws: DeliveryError.plaintextAfterStartTLS(host: "127.0.0.1")) {
            try await client.send(from: "a@pairbook.test", to: ["b@pairbook.test"], data: Array("Subject: x\r\n\r\nx\r\n".utf8))
        }
        #expect(!DeliveryError.plaintextAfterStartTLS(host: "h").isTransient)
        let saved = try FileManager.default.contentsOfDirectory(atPath: server.directory.path).filter { $0.hasSuffix(".eml") }
        #expect(saved.isEmpty)
    }

    @Test("STARTTLS required but not offered fails clearly")
    func startTLSUnavailable() async throws {
        let server = try SMTPTestServer(mode: .plain)
        defer { server.stop() }
        let client = SMTPClient(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .startTLS, timeout: .seconds(60), tls: testTLS()),
            logger: quietLogger)
        await #expect(throws: DeliveryError.startTLSUnavailable(host: "127.0.0.1")) {
            try await client.send(from: "a@pairbook.test", to: ["b@pairbook.test"], data: Array("Subject: x\r\n\r\nx\r\n".utf8))
        }
    }

    @Test("an unreachable server is retried with exponential backoff, then counted as failed")
    func retriesWithBackoff() async throws {
        // Given a port nobody listens on (a server started and stopped)
        let server = try SMTPTestServer(mode: .plain)
        let port = server.port
        server.stop()
        let sleeps = Mutex<[Duration]>([])
        let delivery = SMTPDelivery(
            smtp: SMTPConfiguration(host: "127.0.0.1", port: port, security: .plain, timeout: .seconds(5)),
            from: try EmailAddress("reports@pairbook.test"), to: [try EmailAddress("quant@pairbook.test")],
            retry: RetryPolicy(maximumAttempts: 4, initialDelay: .seconds(5), multiplier: 3, maximumDelay: .seconds(30)),
            now: { Timestamp(milliseconds: 0) }, sleep: { d in sleeps.withLock { $0.append(d) } }, logger: quietLogger)
        let report = DeliverableReport(name: "r", title: "r", generatedAt: Timestamp(milliseconds: 0), files: [])

        let error = await #expect(throws: DeliveryError.self) { try await delivery.deliver(report) }

        guard case .failedAfterRetries(let attempts, let last) = error, case .connectionFailed = last else {
            Issue.record("expected failedAfterRetries(connectionFailed), got \(String(describing: error))")
            return
        }
        #expect(attempts == 4)
        #expect(sleeps.withLock { $0 } == [.seconds(5), .seconds(15), .seconds(30)])
        #expect(error?.description.hasSuffix("(after 4 attempts)") == true)
    }
}

struct SMTPClientUnitTests {
    @Test("DATA is dot-stuffed, CRLF-normalised and terminated")
    func dotStuffing() {
        let input = Array(".start\r\nmiddle\n.\r\n..two\rlast".utf8)
        let expected = Array("..start\r\nmiddle\r\n..\r\n...two\r\nlast\r\n.\r\n".utf8)
        #expect(SMTPClient.dotStuffed(input) == expected)
        #expect(SMTPClient.dotStuffed(Array("x\r\n".utf8)) == Array("x\r\n.\r\n".utf8))
    }

    @Test("credentials come from the environment or a file and never show the password")
    func credentials() throws {
        let fromEnv = try SMTPCredentials.fromEnvironment(
            environment: ["PAIRBOOK_SMTP_USER": "quant", "PAIRBOOK_SMTP_PASSWORD": "hunter2"])
        #expect(fromEnv == SMTPCredentials(username: "quant", password: "hunter2"))
        #expect(!fromEnv.description.contains("hunter2"))
        #expect(!"\(fromEnv)".contains("hunter2"))
        #expect(throws: DeliveryError.missingCredentials(source: "environment", reason: "PAIRBOOK_SMTP_PASSWORD is not set")) {
            try SMTPCredentials.fromEnvironment(environment: ["PAIRBOOK_SMTP_USER": "quant"])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pairbook-cred-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("quant\r\npass with spaces \n".utf8).write(to: file)
        #expect(try SMTPCredentials.fromFile(file.path) == SMTPCredentials(username: "quant", password: "pass with spaces "))
        #expect(throws: DeliveryError.self) { try SMTPCredentials.fromFile("/nonexistent/credentials") }
    }

    @Test("SNI uses the host name, never an IP address")
    func serverName() {
        #expect(SMTPConfiguration(host: "smtp.example.com").effectiveServerName == "smtp.example.com")
        #expect(SMTPConfiguration(host: "127.0.0.1").effectiveServerName == nil)
        #expect(SMTPConfiguration(host: "::1").effectiveServerName == nil)
        #expect(SMTPConfiguration(host: "127.0.0.1", tlsServerName: "localhost").effectiveServerName == "localhost")
        #expect(SMTPConfiguration(host: "h", security: .tls).port == 465)
        #expect(SMTPConfiguration(host: "h", security: .startTLS).port == 587)
    }

    @Test("backoff grows by the multiplier up to the cap")
    func backoff() {
        let policy = RetryPolicy(maximumAttempts: 6, initialDelay: .seconds(2), multiplier: 2, maximumDelay: .seconds(10))
        #expect((1...5).map(policy.delay(afterAttempt:)) == [.seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }
}
