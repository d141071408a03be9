import Foundation
import Logging
import Market
import Metrics

/// Mails a finished report: the findings in the body, the PDF (or any files chosen by extension) attached;
/// retried with exponential backoff; a final failure is counted in `pairbook_delivery_failures_total{target="smtp"}`.
///
/// ```swift
/// let mail = SMTPDelivery(
///     smtp: SMTPConfiguration(host: "smtp.example.com", security: .startTLS, credentials: try .fromEnvironment()),
///     from: try EmailAddress(parsing: "pairbook <reports@example.com>"), to: [try EmailAddress("quant@example.com")],
///     logger: logger)
/// try await mail.deliver(report)
/// ```
public struct SMTPDelivery: ReportDelivery {
    public var target: String { "smtp" }

    public let smtp: SMTPConfiguration
    public let from: EmailAddress
    public let to: [EmailAddress]
    /// File extensions (lower case, without the dot) that are attached; others are only listed in the body.
    public let attachExtensions: Set<String>
    public let retry: RetryPolicy
    private let logger: Logger
    private let now: @Sendable () -> Timestamp
    private let sleep: @Sendable (Duration) async throws -> Void
    private let failures: Counter

    /// - Parameters:
    ///   - smtp: server, security and credentials.
    ///   - from: the sender (`From:` and `MAIL FROM`).
    ///   - to: the recipients.
    ///   - attachExtensions: which output files to attach (default: PDF only).
    ///   - retry: backoff for transient failures.
    ///   - now: the clock for the `Date:` header.
    ///   - sleep: how to wait between attempts (tests record instead of sleeping).
    ///   - metricsFactory: where the failure counter lives (the bootstrapped system by default).
    ///   - logger: where attempts and failures are logged (never credentials).
    public init(
        smtp: SMTPConfiguration, from: EmailAddress, to: [EmailAddress], attachExtensions: Set<String> = ["pdf"],
        retry: RetryPolicy = .init(), now: @escaping @Sendable () -> Timestamp,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        metricsFactory: (any MetricsFactory)? = nil, logger: Logger
    ) {
        self.smtp = smtp
        self.from = from
        self.to = to
        self.attachExtensions = attachExtensions
        self.retry = retry
        self.now = now
        self.sleep = sleep
        self.logger = logger
        self.failures = Counter(
            label: "pairbook_delivery_failures_total", dimensions: [("target", "smtp")],
            factory: metricsFactory ?? MetricsSystem.factory)
    }

    /// Builds the message for a report run: subject = title, body = summary and the list of files.
    ///
    /// - Throws: ``DeliveryError/fileError(path:reason:)`` when an attachment cannot be read,
    ///   ``DeliveryError/unsafeFileName(_:)`` for an odd file name.
    public func message(for report: DeliverableReport) throws(DeliveryError) -> EmailMessage {
        var attachments: [EmailAttachment] = []
        var listed: [String] = []
        for path in report.files {
            let name = fileName(of: path)
            guard isSafeFileName(name) else { throw .unsafeFileName(name) }
            let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
            if attachExtensions.contains(ext) {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw .fileError(path: path, reason: "cannot read the attachment")
                }
                attachments.append(
                    EmailAttachment(filename: name, contentType: EmailAttachment.contentType(forFileName: name), data: Array(data)))
            } else {
                listed.append(name)
            }
        }
        var body = report.summary.isEmpty ? "No findings.\n" : report.summary
        if !body.hasSuffix("\n") { body += "\n" }
        body += "\n— \(report.title), generated \(report.generatedAt.iso8601(.seconds))\n"
        if !listed.isEmpty { body += "Other outputs: \(listed.joined(separator: ", "))\n" }
        return EmailMessage(from: from, to: to, subject: report.title, text: body, attachments: attachments, date: now())
    }

    public func deliver(_ report: DeliverableReport) async throws(DeliveryError) {
        var logger = self.logger
        logger[metadataKey: "report"] = "\(report.name)"
        logger[metadataKey: "delivery.target"] = "smtp"
        do throws(DeliveryError) {
            let message = try message(for: report)
            let client = SMTPClient(configuration: smtp, logger: logger)
            try await retry.run(logger: logger, sleep: sleep) { () async throws(DeliveryError) in
                try await client.send(message)
            }
            logger.info("report mailed", metadata: ["delivery.recipients": "\(to.count)"])
        } catch {
            failures.increment()
            logger.error("mail delivery failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
