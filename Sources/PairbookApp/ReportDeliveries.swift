import Alerts
import Delivery
import Foundation
import Logging
import Market
import ReportEngine
import Storage

/// Where finished reports go besides the output folder — `--copy-to`, `--email` and the config file's `delivery:`
/// section — for `pairbook report` and `pairbook run`.
public struct ReportDeliveries: Sendable {
    /// `--copy-to` or `delivery.folder`.
    public var folder: String?
    /// `delivery.email` (SMTP server, sender, attachments).
    public var email: RunConfiguration.EmailConfiguration?
    /// `--email` addresses, else `delivery.email.to`.
    public var recipients: [String]

    /// Flags override the file; `--email` without an SMTP configuration is an error.
    public init(copyTo: String?, emails: [String], configuration: RunConfiguration.DeliveryConfiguration?) throws {
        folder = copyTo ?? configuration?.folder
        email = configuration?.email
        recipients = emails.isEmpty ? (email?.to ?? []) : emails
        if !recipients.isEmpty, email == nil {
            throw RunError("--email needs `delivery.email` (smtp server and from) in the config file (--config, default ./pairbook.yaml)")
        }
    }

    /// The folder and e-mail deliveries; credentials are read now, so a missing one stops start-up.
    public func make(logger: Logger) throws -> [any ReportDelivery] {
        var deliveries: [any ReportDelivery] = []
        if let folder { deliveries.append(FolderDelivery(directory: folder, logger: logger)) }
        if let email, !recipients.isEmpty {
            do {
                let smtp = email.smtp
                var credentials: SMTPCredentials?
                if let file = smtp.credentialsFile {
                    credentials = try SMTPCredentials.fromFile(file)
                } else if smtp.usernameEnv != nil || smtp.passwordEnv != nil
                    || ProcessInfo.processInfo.environment["PAIRBOOK_SMTP_USER"] != nil
                {
                    credentials = try SMTPCredentials.fromEnvironment(
                        userVariable: smtp.usernameEnv ?? "PAIRBOOK_SMTP_USER",
                        passwordVariable: smtp.passwordEnv ?? "PAIRBOOK_SMTP_PASSWORD")
                }
                let configuration = SMTPConfiguration(
                    host: smtp.host, port: smtp.port, security: smtp.security ?? .startTLS, credentials: credentials,
                    authMethod: smtp.auth ?? .automatic, allowInsecureAuthentication: smtp.allowInsecureAuth ?? false)
                deliveries.append(
                    SMTPDelivery(
                        smtp: configuration, from: try EmailAddress(parsing: email.from),
                        to: try recipients.map { try EmailAddress(parsing: $0) },
                        attachExtensions: Set(email.attach ?? ["pdf"]), now: { Timestamp.now() }, logger: logger))
            } catch {
                throw RunError("delivery.email: \(error)")
            }
        }
        return deliveries
    }

    /// Hands a finished run to every delivery (the findings as the e-mail body). A failed delivery does not stop
    /// the others; failures are noted on the run's `report_runs` row (status `delivery_failed`) and returned as
    /// `target: error` lines. The report's files stay where the engine wrote them.
    public static func deliver(_ result: ReportJob.Result, generatedAt: Timestamp, to deliveries: [any ReportDelivery],
                        store: any ReportStore) async -> [String] {
        guard !deliveries.isEmpty else { return [] }
        let summary = result.report.findings.isEmpty
            ? "No findings."
            : result.report.findings.map { "• [\($0.state.rawValue)] \($0.rule): \($0.summary)" }.joined(separator: "\n")
        let deliverable = DeliverableReport(
            name: result.report.name, title: result.report.title, generatedAt: generatedAt, files: result.files, summary: summary)
        var failures: [String] = []
        for delivery in deliveries {
            do {
                try await delivery.deliver(deliverable)
            } catch {
                failures.append("\(delivery.target): \(error)")
            }
        }
        if !failures.isEmpty {
            try? store.finishReportRun(
                id: result.runID, finishedAt: Timestamp.now(), status: .deliveryFailed, outputs: result.outputsJSON,
                error: failures.joined(separator: "; "))
        }
        return failures
    }

    /// A delivery of an on-demand report failed; the report itself was written.
    public struct Failed: Error, CustomStringConvertible {
        public var folder: String
        public var failures: [String]
        public init(folder: String, failures: [String]) {
            self.folder = folder
            self.failures = failures
        }
        public var description: String { "the report was written to \(folder), but delivery failed: \(failures.joined(separator: "; "))" }
    }
}
