import GRDB
import Market

/// One row of `alert_rules`: a rule made on the dashboard.
///
/// The rule itself is kept as JSON text with the report scripts' keys (`{"name": …, "metric": "z_score", …}`);
/// Storage does not interpret it, the Alerts module decodes it.
public struct AlertRuleRecord: Sendable, Hashable {
    /// The row id (`alert_rules.id`).
    public var id: Int64
    /// The rule name, unique among stored rules.
    public var name: String
    /// The rule as JSON.
    public var definition: String
    /// Disabled rules are kept but not evaluated.
    public var enabled: Bool
    /// When the rule was made, UTC.
    public var createdAt: Timestamp
    /// When the rule was last changed, UTC.
    public var updatedAt: Timestamp

    /// Creates a row value.
    public init(id: Int64, name: String, definition: String, enabled: Bool, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.definition = definition
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Store {
    /// Every stored rule, by id.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)``.
    public func alertRules() throws -> [AlertRuleRecord] {
        try read("reading alert rules") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.alertRuleColumns) FROM alert_rules ORDER BY id").map(Self.alertRule)
        }
    }

    /// The stored rule with `id`, if any.
    public func alertRule(id: Int64) throws -> AlertRuleRecord? {
        try read("reading an alert rule") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.alertRuleColumns) FROM alert_rules WHERE id = ?", arguments: [id])
                .map(Self.alertRule)
        }
    }

    /// Stores a new rule.
    ///
    /// - Returns: the stored row.
    /// - Throws: ``StoreError/duplicateAlertRule(name:)`` when a rule of that name exists;
    ///   ``StoreError/sqlite(operation:message:)``.
    public func insertAlertRule(name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord {
        try write { tx in
            let db = tx.database
            let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM alert_rules WHERE name = ?)", arguments: [name]) ?? false
            if taken { throw StoreError.duplicateAlertRule(name: name) }
            try db.execute(
                sql: "INSERT INTO alert_rules (name, definition, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, definition, enabled, time.milliseconds, time.milliseconds])
            return AlertRuleRecord(id: db.lastInsertedRowID, name: name, definition: definition, enabled: enabled,
                                   createdAt: time, updatedAt: time)
        }
    }

    /// Replaces the rule with `id`.
    ///
    /// - Returns: the stored row, or `nil` when there is no rule with `id`.
    /// - Throws: ``StoreError/duplicateAlertRule(name:)`` when another rule has the new name.
    public func updateAlertRule(id: Int64, name: String, definition: String, enabled: Bool, at time: Timestamp) throws -> AlertRuleRecord? {
        try write { tx in
            let db = tx.database
            guard let old = try Row.fetchOne(db, sql: "SELECT \(Self.alertRuleColumns) FROM alert_rules WHERE id = ?", arguments: [id])
                .map(Self.alertRule)
            else { return nil }
            let taken = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM alert_rules WHERE name = ? AND id <> ?)", arguments: [name, id]) ?? false
            if taken { throw StoreError.duplicateAlertRule(name: name) }
            try db.execute(
                sql: "UPDATE alert_rules SET name = ?, definition = ?, enabled = ?, updated_at = ? WHERE id = ?",
                arguments: [name, definition, enabled, time.milliseconds, id])
            return AlertRuleRecord(id: id, name: name, definition: definition, enabled: enabled, createdAt: old.createdAt, updatedAt: time)
        }
    }

    /// Deletes the rule with `id` (its `alert_events` history stays).
    ///
    /// - Returns: whether a rule was deleted.
    @discardableResult
    public func deleteAlertRule(id: Int64) throws -> Bool {
        try write { tx in
            try tx.database.execute(sql: "DELETE FROM alert_rules WHERE id = ?", arguments: [id])
            return tx.database.changesCount > 0
        }
    }

    private static let alertRuleColumns = "id, name, definition, enabled, created_at, updated_at"

    private static func alertRule(_ row: Row) -> AlertRuleRecord {
        AlertRuleRecord(id: row[0], name: row[1], definition: row[2], enabled: row[3],
                        createdAt: Timestamp(milliseconds: row[4]), updatedAt: Timestamp(milliseconds: row[5]))
    }
}
