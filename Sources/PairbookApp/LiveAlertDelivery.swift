import Dashboard
import Delivery
import Logging
import Market
import ReportEngine

/// What `pairbook run` does when a live alert newly fires (outside its cooldown): runs the script's `on_trigger`
/// command (for a report script's rule) and mails the alert to the `delivery.email` recipients, if any.
///
/// The command gets the alert in its environment: `PAIRBOOK_REPORT` (the script), `PAIRBOOK_RULE`, `PAIRBOOK_SUBJECT`
/// (pair or symbol), `PAIRBOOK_METRIC`, `PAIRBOOK_VALUE`, `PAIRBOOK_THRESHOLD`, `PAIRBOOK_SEVERITY`, `PAIRBOOK_TIME`
/// (ISO-8601 UTC), `PAIRBOOK_SUMMARY` and `PAIRBOOK_FIRING=1`. The e-mail's subject names the rule and what it fired on,
/// its body is the summary; nothing is attached. Failures are logged (and counted by the e-mail delivery), never fatal.
struct LiveAlertDelivery: AlertDelivery {
    /// The e-mail deliveries of the run's configuration (folder copies are for report files only).
    var email: [any ReportDelivery]
    var logger: Logger

    init(deliveries: [any ReportDelivery], logger: Logger) {
        email = deliveries.filter { $0.target == "smtp" }
        self.logger = logger
    }

    func deliver(_ firing: AlertFiring) async {
        if let command = firing.onTrigger {
            await TriggerCommand(command).run(environment: Self.environment(for: firing), logger: logger,
                                              metadata: ["alert.rule": "\(firing.rule)", "pair": "\(firing.subject)"])
        }
        guard !email.isEmpty else { return }
        let message = DeliverableReport(
            name: firing.script ?? "alerts", title: "[\(firing.severity)] \(firing.rule) firing on \(firing.subject)",
            generatedAt: firing.time, files: [],
            summary: "\(firing.summary)\n\n\(firing.metric) = \(Self.text(firing.value)) (threshold \(Self.text(firing.threshold))) "
                + "at \(firing.time.iso8601(.seconds))")
        for delivery in email {
            do {
                try await delivery.deliver(message)
            } catch {
                logger.warning("live alert e-mail failed", metadata: ["alert.rule": "\(firing.rule)", "error": "\(error)"])
            }
        }
    }

    static func environment(for firing: AlertFiring) -> [String: String] {
        [
            "PAIRBOOK_REPORT": firing.script ?? "", "PAIRBOOK_RULE": firing.rule, "PAIRBOOK_SUBJECT": firing.subject,
            "PAIRBOOK_METRIC": firing.metric, "PAIRBOOK_VALUE": text(firing.value), "PAIRBOOK_THRESHOLD": text(firing.threshold),
            "PAIRBOOK_SEVERITY": firing.severity, "PAIRBOOK_TIME": firing.time.iso8601(.seconds), "PAIRBOOK_SUMMARY": firing.summary,
            "PAIRBOOK_FIRING": "1",
        ]
    }

    static func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "n/a" }
}
