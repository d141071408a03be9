import GRDB

extension StoredValue {
    /// The value to bind in an SQLite statement (booleans as 0 and 1, as GRDB stores them).
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let value): return value.databaseValue
        case .real(let value): return value.databaseValue
        case .text(let value): return value.databaseValue
        case .boolean(let value): return value.databaseValue
        }
    }

    /// The stored `value` of a column of `type`.
    ///
    /// - Throws: ``StoreError/sqlite(operation:message:)`` when the stored value does not fit the column's type.
    // A static function rather than an initializer: Swift 6.3's optimizer (CopyPropagation) crashed on the
    // initializer form of this switch in release builds ("Found ownership error").
    static func decoding(_ value: DatabaseValue, as type: StoredTable.ColumnType, column: String) throws -> StoredValue {
        if value.isNull { return .null }
        switch type {
        case .integer: if let integer = Int64.fromDatabaseValue(value) { return .integer(integer) }
        case .real: if let real = Double.fromDatabaseValue(value) { return .real(real) }
        case .text: if let text = String.fromDatabaseValue(value) { return .text(text) }
        case .boolean: if let boolean = Bool.fromDatabaseValue(value) { return .boolean(boolean) }
        }
        throw StoreError.sqlite(operation: "reading column \(column)", message: "stored value \(value) is not of type \(type)")
    }
}
