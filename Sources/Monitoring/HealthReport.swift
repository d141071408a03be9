import Market

/// The state of a running `pairbook run`, as served by `GET /healthz`: healthy when every check passes.
///
/// Built by the caller's health closure on every request (cheap checks only: a flag, one `SELECT`, a timestamp).
public struct HealthReport: Sendable, Codable, Equatable {
    /// One named condition, e.g. `collector` (connected), `database` (writable), `data` (fresh).
    public struct Check: Sendable, Codable, Equatable {
        public var name: String
        public var ok: Bool
        /// What was seen, e.g. `connected`, `last trade 4s ago`, `disk I/O error`.
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }

        /// Passes when the newest data is at most `maximumAge` old at `now` (both UTC).
        ///
        /// - Parameters:
        ///   - name: the check's name, `data` by default.
        ///   - newest: the newest trade or bar time; `nil` = nothing recorded yet (fails).
        ///   - now: the current time.
        ///   - maximumAge: how stale the data may be, e.g. 2 minutes.
        public static func freshness(
            named name: String = "data", newest: Timestamp?, now: Timestamp, maximumAge: TimeSpan
        ) -> Check {
            guard let newest else { return Check(name: name, ok: false, detail: "no data recorded yet") }
            let age = now - newest
            let ageText = "\(TimeSpan(milliseconds: max(0, age.milliseconds / 1000 * 1000)))"
            return age <= maximumAge
                ? Check(name: name, ok: true, detail: "newest \(newest.iso8601(.seconds)), \(ageText) old")
                : Check(name: name, ok: false, detail: "stale: newest \(newest.iso8601(.seconds)) is \(ageText) old (limit \(maximumAge))")
        }
    }

    public var checks: [Check]

    public init(checks: [Check]) { self.checks = checks }

    /// Whether every check passed (an empty report is healthy).
    public var isHealthy: Bool { checks.allSatisfy(\.ok) }

    /// `name: detail` of every failing check.
    public var reasons: [String] { checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" } }
}
